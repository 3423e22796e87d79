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
            for raw in _read(path).splitlines():
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


def _read(path: Path) -> str:
    """The ignore file's text; a file we cannot read must not silently let files into the image."""
    from tritonship.errors import BadInput

    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                       hint="save it as UTF-8: one gitignore-style pattern per line") from exc
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror}") from exc
