"""Applying model image layers the way a runtime does (whiteouts, replacement, links), and every refusal of
image/unpack.py: escapes, devices, the size limit, and registries whose bytes do not match their digests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.junk_http import junk_server
from tests.model_images import OCI_MANIFEST, TAR, TAR_GZIP, TAR_ZSTD, gzipped, layer, manifest_for, sha256, zstded

from tritonship.errors import BadInput, ProtocolError
from tritonship.image.registry import RegistryClient
from tritonship.image.unpack import Budget, ModelImageSource, apply_layer, check_links, unpack, unpacked_model_image
from tritonship.image.unpack_rules import UnsafeEntry


def _apply(tmp_path: Path, *layers: bytes, limit: int = 10**9, compression: str = "none") -> Path:
    repository = tmp_path / "models"
    repository.mkdir(parents=True, exist_ok=True)
    budget = Budget(limit, "reg/m@sha256:x")
    for number, blob in enumerate(layers):
        spool = tmp_path / f"layer{number}"
        spool.write_bytes(blob)
        apply_layer(spool, compression, repository, f"layer {number + 1}", budget)
    check_links(repository)
    return repository


def _tree(root: Path) -> dict[str, str]:
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            out[rel] = ("-> " + os.readlink(path)) if path.is_symlink() else "dir" if path.is_dir() else \
                path.read_bytes().decode()
    return out


def test_only_models_are_unpacked_and_whiteouts_hide_lower_layers_only(tmp_path):
    lower = layer(("models", "dir"), ("models/a", "dir"), ("models/a/1", "dir"), ("models/a/1/old", "file", b"old"),
                  ("models/a/1/keep", "file", b"keep"), ("models/b", "dir"), ("models/b/x", "file", b"x"),
                  ("tritonship/bin/busybox", "file", b"\x7fELF"))
    upper = layer(("models/a/1/new", "file", b"new"), ("models/a/1/.wh.old", "file"),
                  ("models/a/1/.wh.new", "file"),  # same layer: does not hide `new`
                  ("models/b/y", "file", b"y"), ("models/b/.wh..wh..opq", "file"))  # opaque after its sibling
    repository = _apply(tmp_path, lower, upper)
    assert _tree(repository) == {"a": "dir", "a/1": "dir", "a/1/keep": "keep", "a/1/new": "new", "b": "dir",
                                 "b/y": "y"}
    assert not (tmp_path / "tritonship").exists()


def test_a_whiteout_of_models_or_an_opaque_root_clears_the_lower_repository(tmp_path):
    base = layer(("models/a", "dir"), ("models/a/f", "file", b"1"))
    assert _tree(_apply(tmp_path / "one", base, layer((".wh.models", "file")))) == {}
    assert _tree(_apply(tmp_path / "two", base, layer((".wh..wh..opq", "file"), ("models/c", "file", b"c")))) == \
        {"c": "c"}


def test_an_entry_replaces_what_was_there_and_links_stay_inside(tmp_path):
    lower = layer(("models/m/1", "dir"), ("models/m/1/w.bin", "file", b"weights"), ("models/m/cfg", "dir"))
    upper = layer(("models/m/cfg", "file", b"now a file"), ("models/m/latest", "symlink", "1"),
                  ("models/m/abs", "symlink", "/models/m/1/w.bin"),
                  ("models/m/2/w.bin", "hardlink", "models/m/1/w.bin"))
    repository = _apply(tmp_path, lower, upper)
    tree = _tree(repository)
    assert tree["m/cfg"] == "now a file" and tree["m/latest"] == "-> 1" and tree["m/abs"] == "-> 1/w.bin"
    assert (repository / "m/abs").read_bytes() == b"weights"
    assert os.stat(repository / "m/2/w.bin").st_ino == os.stat(repository / "m/1/w.bin").st_ino


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_compressed_layers(tmp_path, compression):
    blob = layer(("models/a", "file", b"hello"))
    packed = gzipped(blob) if compression == "gzip" else zstded(blob)
    assert _tree(_apply(tmp_path, packed, compression=compression)) == {"a": "hello"}


@pytest.mark.parametrize(("entries", "words"), [
    ([("models/x", "symlink", "../../etc")], "points outside"),
    ([("/models/x", "file", b"")], "absolute path"),
    ([("models/../x", "file", b"")], "climbs out"),
    ([("models/null", "char")], "character device"),
    ([("models/fifo", "fifo")], "FIFO"),
    ([("models/h", "hardlink", "etc/passwd")], "links outside"),
    ([("models/h", "hardlink", "models/absent")], "not a file of the model repository"),
    # each link looks inside on its own; chained they reach the parent of the repository
    ([("models/a", "symlink", "."), ("models/b", "symlink", "a/a/a/..")], "resolves outside"),
])
def test_unsafe_layers_are_refused_with_exit_2(tmp_path, entries, words):
    with pytest.raises(UnsafeEntry, match=words) as err:
        _apply(tmp_path, layer(*entries))
    assert err.value.exit_code == 2
    assert not any(p.name in ("x", "etc") for p in tmp_path.iterdir())


def test_nothing_is_written_through_a_link_out_of_the_repository(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    repository = tmp_path / "work" / "models"
    repository.mkdir(parents=True)
    os.symlink(outside, repository / "escape")  # as if a lower layer had left one
    spool = tmp_path / "l"
    spool.write_bytes(layer(("models/escape/pwned", "file", b"x")))
    with pytest.raises(UnsafeEntry, match="leaves the model repository"):
        apply_layer(spool, "none", repository, "layer 1", Budget(100, "ref"))
    assert list(outside.iterdir()) == []


def test_the_size_limit_counts_the_bytes_written_not_the_compressed_ones(tmp_path):
    bomb = gzipped(layer(("models/zeros", "file", bytes(50_000))))
    assert len(bomb) < 1000
    with pytest.raises(BadInput, match="limit of 10,000 bytes") as err:
        _apply(tmp_path, bomb, limit=10_000, compression="gzip")
    assert "--model-image-limit" in err.value.hint


def test_a_layer_that_is_not_a_tar_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="not a valid gzip tar layer"):
        _apply(tmp_path, b"not gzip at all", compression="gzip")


# -- the registry side: a server that answers, but not with the bytes asked for ------------------------------------

def _registry_routes(manifest: bytes, blobs: dict[str, bytes]) -> dict:
    routes = {"/v2/": (200, {"Docker-Distribution-API-Version": "registry/2.0"}, b"{}"),
              f"/v2/ml/m/manifests/{sha256(manifest)}": (200, {"Content-Type": OCI_MANIFEST}, manifest)}
    routes |= {f"/v2/ml/m/blobs/{digest}": (200, {}, blob) for digest, blob in blobs.items()}
    return routes


def _unpack(url: str, digest: str, tmp_path: Path, limit: int = 10**9):
    host = url.removeprefix("http://")
    source = ModelImageSource(f"{host}/ml/m@{digest}", insecure=True, limit_bytes=limit)
    return unpack(source, tmp_path, client=RegistryClient(host, insecure=True, retries=0))


def test_a_blob_whose_bytes_do_not_match_its_digest_is_exit_3_naming_the_registry(tmp_path):
    good = layer(("models/a", "file", b"good"))
    manifest, blobs = manifest_for([(TAR, good)])
    blobs[sha256(good)] = layer(("models/a", "file", b"evil"))  # same length, other bytes
    with junk_server(_registry_routes(manifest, blobs)) as url, \
            pytest.raises(ProtocolError, match="not the digest asked for") as err:
        _unpack(url, sha256(manifest), tmp_path)
    assert url.removeprefix("http://") in err.value.message and err.value.exit_code == 3
    assert not (tmp_path / "models" / "a").exists()


def test_a_manifest_that_does_not_hash_to_the_digest_is_exit_3(tmp_path):
    manifest, blobs = manifest_for([(TAR_GZIP, gzipped(layer(("models/a", "file", b"a"))))])
    asked = sha256(b"another manifest")
    routes = _registry_routes(manifest, blobs) | {f"/v2/ml/m/manifests/{asked}": (200, {}, manifest)}
    with junk_server(routes) as url, pytest.raises(ProtocolError, match="not to the digest asked for"):
        _unpack(url, asked, tmp_path)


def test_a_web_page_instead_of_a_registry_is_exit_3_naming_the_endpoint(tmp_path):
    with junk_server() as url, pytest.raises(ProtocolError) as err:
        _unpack(url, "sha256:" + "a" * 64, tmp_path)
    assert "HTML page" in err.value.message and url.removeprefix("http://") in err.value.message


def test_declared_layer_sizes_over_the_limit_are_refused_before_any_download(tmp_path):
    manifest, _ = manifest_for([(TAR_ZSTD, zstded(layer(("models/a", "file", bytes(5000)))))])
    with junk_server(_registry_routes(manifest, {})) as url, pytest.raises(BadInput, match="layers pass the limit"):
        _unpack(url, sha256(manifest), tmp_path, limit=10)


def test_an_unknown_layer_media_type_is_refused(tmp_path):
    manifest, blobs = manifest_for([("application/vnd.oci.image.layer.v1.tar+lz4", b"x")])
    with junk_server(_registry_routes(manifest, blobs)) as url, pytest.raises(BadInput, match="not a tar layer"):
        _unpack(url, sha256(manifest), tmp_path)


def test_the_temporary_repository_is_removed_also_on_failure(tmp_path):
    manifest, blobs = manifest_for([(TAR, layer(("models/dev", "block")))])
    work = tmp_path / "work"
    work.mkdir()
    with junk_server(_registry_routes(manifest, blobs)) as url:
        host = url.removeprefix("http://")
        source = ModelImageSource(f"{host}/ml/m@{sha256(manifest)}", insecure=True)
        with pytest.raises(UnsafeEntry, match="block device"), \
                unpacked_model_image(source, client=RegistryClient(host, insecure=True, retries=0), workdir=work):
            pass
    assert list(work.iterdir()) == []
    assert json.loads(manifest)["layers"][0]["mediaType"] == TAR
