"""The pure rules of unpacking a model image: what lands under /models, what is refused (image/unpack_rules.py)."""

from __future__ import annotations

import pytest

from tritonship.errors import BadInput
from tritonship.image.unpack_rules import (
    Action,
    Entry,
    UnsafeEntry,
    check_model_image_ref,
    classify,
    over_limit,
    parse_size,
)

W = "reg/ml/m layer 1/1"
DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(("entry", "action"), [
    (Entry("models", "dir", mode=0o755), Action("dir", "", mode=0o755)),
    (Entry("./models/add/", "dir", mode=0o500), Action("dir", "add", mode=0o700)),
    (Entry("models/add/1/model.py", "file", 12, mode=0o4755), Action("file", "add/1/model.py", size=12, mode=0o755)),
    (Entry("tritonship/bin/busybox", "file", 900), Action("skip", "tritonship/bin/busybox")),
    (Entry("modelsX/a", "file", 1), Action("skip", "modelsX/a")),
    (Entry("models/add/.wh.old.bin", "file"), Action("whiteout", "add/old.bin")),
    (Entry("models/add/.wh..wh..opq", "file"), Action("opaque", "add")),
    (Entry(".wh.models", "file"), Action("whiteout", "")),
    (Entry(".wh..wh..opq", "file"), Action("opaque", "")),
    (Entry("etc/.wh.passwd", "file"), Action("skip", "etc/.wh.passwd")),
    (Entry("models/.wh..wh.plnk", "dir"), Action("skip", "models/.wh..wh.plnk")),
    (Entry("models/a/latest", "symlink", linkname="1"), Action("symlink", "a/latest", target="1")),
    (Entry("models/a/w", "symlink", linkname="/models/shared/w.bin"),
     Action("symlink", "a/w", target="../shared/w.bin")),
    (Entry("models/a/w", "symlink", linkname="../b/./w"), Action("symlink", "a/w", target="../b/./w")),
    (Entry("models/b/w", "hardlink", linkname="models/a/w"), Action("hardlink", "b/w", target="a/w")),
])
def test_entries_become_actions(entry, action):
    assert classify(entry, W) == action


@pytest.mark.parametrize(("entry", "words"), [
    (Entry("/models/a", "file"), "absolute path"),
    (Entry("models/../etc/passwd", "file"), "climbs out"),
    (Entry("models/a/../../x", "dir"), "climbs out"),
    (Entry("models/a/.wh...", "file"), "names no file"),
    (Entry("models/dev", "char"), "character device"),
    (Entry("models/disk", "block"), "block device"),
    (Entry("models/pipe", "fifo"), "FIFO"),
    (Entry("models/odd", "other"), "unsupported type"),
    (Entry("models/a/l", "symlink", linkname="../../etc/passwd"), "points outside /models"),
    (Entry("models/a/l", "symlink", linkname="/etc/passwd"), "points outside /models"),
    (Entry("models/l", "symlink", linkname="/"), "points outside /models"),
    (Entry("models/l", "symlink", linkname=""), "no usable target"),
    (Entry("models/l", "hardlink", linkname="etc/shadow"), "links outside /models"),
    (Entry("models/l", "hardlink", linkname="/models/a"), "absolute path"),
    (Entry("models", "symlink", linkname="/data"), "not a directory"),
    (Entry("models/a\x00b", "file"), "NUL"),
])
def test_unsafe_entries_are_refused_naming_the_layer(entry, words):
    with pytest.raises(UnsafeEntry, match=words) as err:
        classify(entry, W)
    assert W in err.value.message and err.value.exit_code == 2


def test_the_reference_must_be_pinned_by_digest():
    assert check_model_image_ref(None) is None
    assert check_model_image_ref(f" reg.local:5000/ml/m@{DIGEST} ") == f"reg.local:5000/ml/m@{DIGEST}"
    for bad, words in (("", "empty"), ("  ", "empty"), ("reg.local/ml/m:v1", "not pinned by digest"),
                       ("reg.local/ml/m", "not pinned"), ("reg.local/ml/m@sha512:" + "a" * 128, "not pinned"),
                       ("Reg Local/m", "invalid image reference")):
        with pytest.raises(BadInput, match=words):
            check_model_image_ref(bad)


def test_sizes_and_the_limit():
    assert parse_size("1024") == 1024
    assert parse_size("512M") == 512 * 2**20
    assert parse_size("20GiB") == 20 * 2**30
    assert parse_size("1.5T") == int(1.5 * 2**40)
    for bad in ("", "ten", "-1G", "0", "5X"):
        with pytest.raises(BadInput, match="--model-image-limit"):
            parse_size(bad)
    assert over_limit(10, 10, "files") is None
    assert "limit of 10 bytes" in over_limit(11, 10, "files")
