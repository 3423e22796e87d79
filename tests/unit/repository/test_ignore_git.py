"""`.tritonshipignore` against git itself: the same patterns, the same paths, `git check-ignore`'s
verdict and tritonship's must agree (and `git ls-files --others --exclude-standard` must list exactly
the files the digest hashes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tritonship.repository.digest import list_files
from tritonship.repository.ignore import ALWAYS_IGNORED, IgnoreRules

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

# (patterns, files in the repository): each case is a gitignore subtlety the hand-written matcher missed
CASES = {
    "negation": (["*.log", "!keep.log"], ["x.log", "keep.log", "m/1/y.log", "m/1/keep.log"]),
    "anchored-glob": (["/m/*.txt"], ["m/a.txt", "m/1/deep.txt", "other/m/b.txt"]),
    "double-star-dir": (["**/tmp"], ["tmp/x", "a/tmp/y", "a/b/tmp/z", "tmpfile"]),
    "dir-only": (["cache/"], ["cache/a", "m/cache/b", "m/cachefile"]),
    "middle-slash": (["m/1/*.bin"], ["m/1/w.bin", "x/m/1/w.bin", "m/1/2/w.bin"]),
    "double-star-middle": (["a/**/b.txt"], ["a/b.txt", "a/x/b.txt", "a/x/y/b.txt", "c/a/b.txt"]),
    "trailing-double-star": (["logs/**"], ["logs/a", "logs/d/e", "m/logs/f"]),
    "negated-inside-ignored-dir": (["build/", "!build/keep.txt"], ["build/keep.txt", "build/x"]),
    "re-include-after-wildcard": (["m/*", "!m/1"], ["m/1/model.onnx", "m/config.pbtxt", "n/config.pbtxt"]),
    "char-class-and-question": (["*.[oa]", "?.tmp"], ["x.o", "y.a", "z.c", "a.tmp", "ab.tmp"]),
    "escaped-bang": (["\\!important"], ["!important", "important"]),
}


def _repo(tmp_path: Path, patterns: list[str], files: list[str]) -> Path:
    root = tmp_path / "repo"
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    text = "\n".join(patterns) + "\n"
    (root / ".gitignore").write_text(text)
    (root / ".tritonshipignore").write_text(text)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _git_ignored(root: Path, paths: list[str]) -> set[str]:
    out = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=root, input="\n".join(paths),
                         capture_output=True, text=True, check=False)
    assert out.returncode in (0, 1), out.stderr  # 1: nothing ignored
    return set(out.stdout.split())


def _ours(rules: IgnoreRules, rel: str) -> bool:
    """The walk's verdict: ignored itself, or inside an ignored directory (the walk never enters it)."""
    parts = rel.split("/")
    return any(rules.ignored("/".join(parts[:i]), is_dir=True) for i in range(1, len(parts))) or rules.ignored(rel)


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_ignore_agrees(tmp_path, case):
    patterns, files = CASES[case]
    root = _repo(tmp_path, patterns, files)
    rules = IgnoreRules.for_repository(root)
    ours = {f for f in files if _ours(rules, f)}
    assert ours == _git_ignored(root, files)


@pytest.mark.parametrize("case", sorted(CASES))
def test_digest_lists_what_git_would_add(tmp_path, case):
    patterns, files = CASES[case]
    root = _repo(tmp_path, patterns, files)
    out = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=root, capture_output=True,
                         text=True, check=True)
    git_files = set(out.stdout.splitlines()) - {".gitignore", ".tritonshipignore"}  # tritonship never ships it
    assert {e.relpath for e in list_files(root)} - {".gitignore"} == git_files


def test_the_named_examples():
    rules = IgnoreRules(("/m/*.txt", "**/tmp", "*.log", "!keep.log"))
    assert rules.ignored("m/a.txt") and not rules.ignored("m/1/deep.txt")
    assert rules.ignored("tmp", is_dir=True)
    assert rules.ignored("x.log") and not rules.ignored("keep.log")
    assert all(IgnoreRules(ALWAYS_IGNORED).ignored(p) for p in ("x.pyc", ".tritonshipignore"))
