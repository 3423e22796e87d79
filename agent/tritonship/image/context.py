"""The build context: exactly the repository's listed files under `models/`, with fixed modes and mtimes.

Only what `repository.digest.list_files` lists is copied (so `.tritonshipignore` is honoured and no
symlink leaves the repository); every file, directory and link gets the same mtime (the source date
epoch), so two builds of the same repository see byte-identical contexts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tritonship.repository.digest import FileEntry

MODELS_DIR = "models"
DOCKERFILE = "Dockerfile"
REQUIREMENTS = "requirements.txt"


@dataclass(frozen=True)
class BuildContext:
    root: Path
    dockerfile: Path
    files: int
    bytes: int


def write_context(
    destination: Path, repository: Path, entries: Sequence[FileEntry], dockerfile: str, *, epoch: int,
    requirements: Path | None = None,
) -> BuildContext:
    """Fill the empty directory `destination` with the Dockerfile, models/ and optional requirements.txt."""
    destination.mkdir(parents=True, exist_ok=True)
    models = destination / MODELS_DIR
    models.mkdir()
    directories = {models}
    total = 0
    for entry in entries:
        target = models / entry.relpath
        _make_parents(target.parent, directories)
        if entry.link_target is not None:
            os.symlink(entry.link_target, target)
        else:
            shutil.copyfile(repository / entry.relpath, target, follow_symlinks=False)
            os.chmod(target, entry.mode)
            total += entry.size
        os.utime(target, (epoch, epoch), follow_symlinks=False)
    if requirements is not None:
        shutil.copyfile(requirements, destination / REQUIREMENTS)
        os.chmod(destination / REQUIREMENTS, 0o644)
    path = destination / DOCKERFILE
    path.write_text(dockerfile, encoding="utf-8")
    os.chmod(path, 0o644)
    for item in (*sorted(directories, key=lambda p: len(p.parts), reverse=True), destination):
        os.chmod(item, 0o755)  # noqa: S103 - image directories must be world-readable
        os.utime(item, (epoch, epoch))
    for item in (path, destination / REQUIREMENTS):
        if item.exists():
            os.utime(item, (epoch, epoch))
    return BuildContext(destination, path, len(entries), total)


def _make_parents(directory: Path, made: set[Path]) -> None:
    if directory in made:
        return
    directory.mkdir(parents=True, exist_ok=True)
    current = directory
    while current not in made:
        made.add(current)
        current = current.parent
