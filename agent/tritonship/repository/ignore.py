"""`.tritonshipignore`: gitignore patterns for files kept out of the digest and the image.

The patterns mean exactly what they mean in a `.gitignore` (https://git-scm.com/docs/gitignore):
`!` re-includes, a pattern with a slash at the start or in the middle is anchored to the repository
root, `**/` matches in any directory including the root, a trailing `/` matches only directories.
Matching is pathspec's `GitIgnoreSpec`, which follows git's own wildmatch; tests compare it with
`git check-ignore`. As in git, a file inside an ignored directory stays ignored: the walk in
repository/digest.py never enters such a directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

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

    @cached_property
    def _spec(self) -> GitIgnoreSpec:
        from pathspec import GitIgnoreSpec

        return GitIgnoreSpec.from_lines(self.patterns)

    def ignored(self, relpath: str, is_dir: bool = False) -> bool:
        """True when `relpath` (posix, relative to the repository) is ignored, as git decides it."""
        return self._spec.match_file(relpath + "/" if is_dir else relpath)


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
