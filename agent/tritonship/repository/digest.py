"""Content digest of a model repository: paths, modes and bytes, in a stable order.

The same bytes give the same digest on any machine; it becomes the image tag's suffix.
Symlinks are hashed as links (their target text) and must stay inside the repository.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import BadInput
from tritonship.repository.ignore import IgnoreRules

_CHUNK = 1 << 20


class SymlinkEscape(BadInput):
    """A symlink in the repository resolves outside it. `path` is the link."""

    def __init__(self, message: str, *, hint: str | None = None, path: Path | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


@dataclass(frozen=True)
class FileEntry:
    relpath: str  # posix path relative to the repository root
    mode: int  # 0o644 / 0o755 for files, 0o120000 for links
    size: int
    link_target: str | None = None


@dataclass(frozen=True)
class RepositoryDigest:
    sha256: str
    files: int
    bytes: int

    @property
    def short(self) -> str:
        return self.sha256[:12]


def list_files(root: Path) -> list[FileEntry]:
    """Every file and symlink that belongs to the repository, sorted, honouring ignore rules."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise BadInput(f"{root}: not a directory")
    rules = IgnoreRules.for_repository(root)
    entries: list[FileEntry] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=_walk_error):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        kept_dirs = []
        for name in sorted(dirnames):
            rel = rel_dir + name
            if rules.ignored(rel, is_dir=True):
                continue
            full = Path(dirpath, name)
            if full.is_symlink():
                entries.append(_link_entry(root, full, rel))
            else:
                kept_dirs.append(name)
        dirnames[:] = kept_dirs
        for name in filenames:
            rel = rel_dir + name
            if rules.ignored(rel):
                continue
            full = Path(dirpath, name)
            if full.is_symlink():
                entries.append(_link_entry(root, full, rel))
                continue
            info = full.lstat()
            if not stat.S_ISREG(info.st_mode):  # a FIFO, socket or device: the image could not hold it
                raise BadInput(f"{full}: not a regular file ({_file_kind(info.st_mode)})",
                               hint="replace it with a regular file or list it in .tritonshipignore")
            mode = 0o755 if info.st_mode & 0o111 else 0o644
            entries.append(FileEntry(rel, mode, info.st_size))
    entries.sort(key=lambda e: e.relpath)
    return entries


def _walk_error(exc: OSError) -> None:
    """os.walk skips a directory it cannot list; a build must not silently leave it out."""
    from tritonship.boundary import reason

    raise BadInput(f"{exc.filename}: cannot list the directory: {reason(exc)}")


def _file_kind(mode: int) -> str:
    kinds = {stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device"}
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def _link_entry(root: Path, full: Path, rel: str) -> FileEntry:
    target = os.readlink(full)
    try:
        resolved = full.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError("Symlink loop ..."), later OSError(ELOOP)
        raise BadInput(f"{full}: a symbolic link loop (the link never reaches a file)",
                       hint="remove the link or point it at a file inside the repository") from None
    if resolved != root and root not in resolved.parents:
        raise SymlinkEscape(
            f"{full}: symlink resolves outside the model repository ({resolved})",
            hint="copy the file into the repository or remove the link; builds never follow links outside it",
            path=full,
        )
    return FileEntry(rel, 0o120000, len(target), link_target=target)


def digest_repository(root: Path, entries: list[FileEntry] | None = None) -> RepositoryDigest:
    root = Path(root).resolve()
    entries = list_files(root) if entries is None else entries
    total = hashlib.sha256()
    size = 0
    buf = bytearray(_CHUNK)
    view = memoryview(buf)
    for entry in entries:
        total.update(f"{entry.relpath}\0{entry.mode:o}\0{entry.size}\0".encode())
        if entry.link_target is not None:
            total.update(entry.link_target.encode())
            continue
        with open(root / entry.relpath, "rb", buffering=0) as handle:
            while n := handle.readinto(buf):
                total.update(view[:n])
        size += entry.size
    return RepositoryDigest(total.hexdigest(), len(entries), size)
