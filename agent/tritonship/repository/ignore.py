"""`.tritonshipignore`: gitignore-style patterns for files kept out of the digest and the image."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

ALWAYS_IGNORED = (".git", "__pycache__", "*.pyc", ".tritonshipignore")
IGNORE_FILE = ".tritonshipignore"


@dataclass(frozen=True)
class IgnoreRules:
    patterns: tuple[str, ...]

    @classmethod
    def for_repository(cls, root: Path) -> IgnoreRules:
        patterns = list(ALWAYS_IGNORED)
        path = root / IGNORE_FILE
        if path.is_file():
            for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
                line = raw.strip()
                if line and not line.startswith("#"):
                    patterns.append(line)
        return cls(tuple(patterns))

    def ignored(self, relpath: str, is_dir: bool = False) -> bool:
        """True when `relpath` (posix, relative to the repository) matches a pattern."""
        name = relpath.rsplit("/", 1)[-1]
        for pattern in self.patterns:
            dir_only = pattern.endswith("/")
            pat = pattern.rstrip("/")
            if dir_only and not is_dir:
                continue
            anchored = pat.startswith("/") or "/" in pat
            if anchored:
                if fnmatch.fnmatchcase(relpath, pat.lstrip("/")):
                    return True
            elif fnmatch.fnmatchcase(name, pat):
                return True
        return False
