"""The build context: the Dockerfile, the optional requirements.txt and, for kaniko, one directory per layer.

buildah and docker build only the base part of the image (tritonship appends the model layers itself,
see image.assemble), so their context holds no models at all. kaniko builds the whole image from the
context: each planned layer becomes ``layers/NNN/models/...`` and the Dockerfile copies it with one
``COPY layers/NNN/ /``, so each layer holds exactly its files. Only what `repository.digest.list_files`
lists is copied (so `.tritonshipignore` is honoured and no symlink leaves the repository); every file,
directory and link gets the same mtime (the source date epoch), so two builds see identical contexts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tritonship.image.model_layers import LayerPlan

LAYERS_DIR = "layers"
MODELS_DIR = "models"
DOCKERFILE = "Dockerfile"
REQUIREMENTS = "requirements.txt"


@dataclass(frozen=True)
class BuildContext:
    root: Path
    dockerfile: Path
    files: int
    bytes: int


def layer_dir(index: int) -> str:
    """The context directory of the `index`-th model layer (what its COPY line names)."""
    return f"{LAYERS_DIR}/{index:03d}"


def write_context(
    destination: Path, repository: Path, dockerfile: str, *, epoch: int, layers: Sequence[LayerPlan] = (),
    requirements: Path | None = None,
) -> BuildContext:
    """Fill the empty directory `destination` with the Dockerfile, the layers' files and requirements.txt."""
    destination.mkdir(parents=True, exist_ok=True)
    directories: set[Path] = set()
    files = total = 0
    for index, layer in enumerate(layers):
        models = destination / layer_dir(index) / MODELS_DIR
        _make_parents(models, directories, destination)
        for entry in layer.entries:
            total += _copy_entry(repository, entry, models / entry.relpath, directories, destination, epoch=epoch)
        files += len(layer.entries)
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
    return BuildContext(destination, path, files, total)


def _copy_entry(repository: Path, entry, target: Path, directories: set[Path], root: Path, *, epoch: int) -> int:
    _make_parents(target.parent, directories, root)
    size = 0
    if entry.link_target is not None:
        os.symlink(entry.link_target, target)
    else:
        shutil.copyfile(repository / entry.relpath, target, follow_symlinks=False)
        os.chmod(target, entry.mode)
        size = entry.size
    os.utime(target, (epoch, epoch), follow_symlinks=False)
    return size


def _make_parents(directory: Path, made: set[Path], root: Path) -> None:
    if directory in made:
        return
    directory.mkdir(parents=True, exist_ok=True)
    current = directory
    while current not in made and current != root:
        made.add(current)
        current = current.parent
