"""Writing one reproducible, uncompressed layer tar: its bytes depend only on the files it holds.

Every entry is owned by 0:0, has no user or group name and the fixed mtime ``LAYER_MTIME``; directories
are 0755, files keep the repository's 0644/0755, links are 0777. Each layer carries its own parent
directories (``models/``, ``models/<model>/``, ...), the way buildah writes the layer of a ``COPY``
(observed with buildah 1.28.2 ``bud --layers``: the layer of ``COPY models/a/1/ /models/a/1/`` holds
``models/``, ``models/a/``, ``models/a/1/`` and the files, owned 0:0). Those directory entries are
identical in every layer, so the order in which layers are stacked never matters.

The mtime is fixed rather than the source date epoch: ``buildah --timestamp`` stamps every entry of
every layer with the build's timestamp (buildah-build(1): "all files committed to the layers of the
image will be created with the timestamp"; observed likewise), so a new commit would change every
layer's digest and a one-model change would upload the whole repository again.
"""

from __future__ import annotations

import hashlib
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import BadInput
from tritonship.image.model_layers import LayerPlan, parent_directories
from tritonship.repository.digest import FileEntry

LAYER_MTIME = 0
MODELS_PREFIX = "models"  # layer paths are relative to /; Triton reads /models


@dataclass(frozen=True)
class TarItem:
    name: str  # path inside the layer, no leading slash; directories without a trailing one
    mode: int
    source: Path | None = None  # the file's bytes; None for a directory or a link
    size: int = 0
    link: str | None = None


@dataclass(frozen=True)
class WrittenLayer:
    name: str  # the LayerPlan's name (or "copier")
    path: Path
    digest: str  # sha256:... of the uncompressed tar (= its diff_id)
    size: int


class _HashingFile:
    """A write-only file that hashes what passes through it (tarfile needs write and tell)."""

    def __init__(self, handle) -> None:
        self.handle, self.hash, self.offset = handle, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.offset += len(data)
        return self.handle.write(data)

    def tell(self) -> int:
        return self.offset


def model_items(repository: Path, entries: Iterable[FileEntry], prefix: str = MODELS_PREFIX) -> list[TarItem]:
    """The tar items of some repository files under `prefix`, with all their parent directories."""
    entries = list(entries)
    items = [TarItem(prefix, 0o755)] + [TarItem(f"{prefix}/{d}", 0o755) for d in parent_directories(entries)]
    for entry in entries:
        name = f"{prefix}/{entry.relpath}"
        if entry.link_target is not None:
            items.append(TarItem(name, 0o777, link=entry.link_target))
        else:
            items.append(TarItem(name, entry.mode, repository / entry.relpath, entry.size))
    return items


def write_layer(path: Path, items: Iterable[TarItem], name: str = "") -> WrittenLayer:
    """Write the items (sorted by path) as a tar at `path`; returns its digest and size."""
    with path.open("wb") as handle:
        out = _HashingFile(handle)
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for item in sorted(items, key=lambda i: i.name):
                _add(tar, item)
    return WrittenLayer(name, path, "sha256:" + out.hash.hexdigest(), out.offset)


def write_model_layer(path: Path, repository: Path, layer: LayerPlan) -> WrittenLayer:
    return write_layer(path, model_items(repository, layer.entries), layer.name)


def _add(tar: tarfile.TarFile, item: TarItem) -> None:
    info = tarfile.TarInfo(item.name + ("/" if item.source is None and item.link is None else ""))
    info.mtime, info.uid, info.gid, info.uname, info.gname = LAYER_MTIME, 0, 0, "", ""
    info.mode = item.mode & 0o7777
    if item.link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, item.link
        tar.addfile(info)
    elif item.source is None:
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    else:
        info.size = item.size
        with item.source.open("rb") as source:
            if _size(source) != item.size:
                raise BadInput(f"{item.source}: changed while the image was being built; build again")
            tar.addfile(info, source)


def _size(handle) -> int:
    import os

    return os.fstat(handle.fileno()).st_size
