"""The repository digest: paths, modes and bytes in a stable order; ignore rules; symlinks."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from tritonship.repository.digest import SymlinkEscape, digest_repository, list_files
from tritonship.repository.ignore import IgnoreRules


def make(root, files: dict[str, str]):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


BASE = {"m/config.pbtxt": 'name: "m"\n', "m/1/model.py": "x = 1\n"}


def test_format_is_pinned(tmp_path):
    root = make(tmp_path / "r", BASE)
    expected = hashlib.sha256()
    for rel in sorted(BASE):
        data = BASE[rel].encode()
        expected.update(f"{rel}\x00644\x00{len(data)}\x00".encode() + data)
    digest = digest_repository(root)
    assert (digest.sha256, digest.files, digest.bytes) == (expected.hexdigest(), 2, sum(len(v) for v in BASE.values()))
    assert digest.short == digest.sha256[:12]


def test_same_content_anywhere_same_digest_and_each_change_shows(tmp_path):
    one, two = make(tmp_path / "one", BASE), make(tmp_path / "two", BASE)
    first = digest_repository(one).sha256
    assert digest_repository(two).sha256 == first
    (two / "m/1/model.py").write_text("x = 2\n")
    changed = digest_repository(two).sha256
    assert changed != first
    os.chmod(two / "m/1/model.py", 0o755)
    assert digest_repository(two).sha256 not in (first, changed)
    shutil.move(one / "m/1", one / "m/2")
    assert digest_repository(one).sha256 != first


def test_ignored_files_do_not_count(tmp_path):
    root = make(tmp_path / "r", BASE)
    before = digest_repository(root).sha256
    make(root, {".git/HEAD": "ref", "m/1/__pycache__/model.cpython-311.pyc": "bytecode", "m/1/stale.pyc": "x",
                "notes/todo.md": "later", "m/1/scratch.tmp": "x"})
    (root / ".tritonshipignore").write_text("# comments are fine\nnotes/\n*.tmp\n")
    assert digest_repository(root).sha256 == before
    assert [e.relpath for e in list_files(root)] == sorted(BASE)


def test_anchored_and_directory_patterns():
    rules = IgnoreRules(("/m/1/big.bin", "cache/"))
    assert rules.ignored("m/1/big.bin") and not rules.ignored("other/1/big.bin")
    assert rules.ignored("m/cache", is_dir=True) and not rules.ignored("m/cache")


def test_symlinks_inside_are_hashed_as_links_outside_are_refused(tmp_path):
    root = make(tmp_path / "r", BASE)
    os.symlink("model.py", root / "m/1/alias.py")
    [link] = [e for e in list_files(root) if e.relpath == "m/1/alias.py"]
    assert (link.mode, link.link_target) == (0o120000, "model.py")
    (tmp_path / "outside.bin").write_text("secret")
    os.symlink(tmp_path / "outside.bin", root / "m/1/weights.bin")
    with pytest.raises(SymlinkEscape) as info:
        digest_repository(root)
    assert info.value.path == root.resolve() / "m/1/weights.bin"
