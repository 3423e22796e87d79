"""Which entries of a model image's layers land in the unpacked model repository, and which are refused. Pure.

A model image (layout ``modelcar``) keeps its models under ``modelcar.MODELS_DIR`` (``/models``); only
entries below it are unpacked, into a temporary folder that becomes a Triton model repository. Layers are
applied the way a container runtime applies them (OCI image-spec ``layer.md``, "Applying Changesets" and
"Whiteouts"; moby ``pkg/archive`` and containerd ``archive.Apply`` behave alike):

- a whiteout ``.wh.NAME`` deletes ``NAME`` from the *lower* layers and is itself never extracted; an opaque
  whiteout ``DIR/.wh..wh..opq`` hides every child of ``DIR`` from the lower layers. Both apply before the
  layer's own entries, whatever their order in the tar ("applied first, regardless of the ordering"), and
  never hide entries of their own layer. Other ``.wh..wh.`` names (aufs metadata such as ``.wh..wh.plnk``)
  are skipped, as moby skips them;
- an entry over an existing path replaces it (unlink, then recreate), except directory over directory;
- refused, as unsafe (exit 2, naming the layer and the entry): absolute paths, ``..`` components, symbolic
  links whose target leaves ``/models`` (an absolute target inside ``/models`` is rewritten relative, so the
  link means on the host what it means in the container; a relative one is kept as written, and what it
  resolves to through other links is checked once every layer is applied), hard links to anything outside ``/models``,
  character/block devices, FIFOs and any other special entry;
- modes keep their permission bits without setuid/setgid/sticky; owners are not restored (the unpacking
  user owns everything, as a rootless runtime does).

The total size (compressed bytes downloaded, and file bytes written) is capped by a limit, default
``DEFAULT_LIMIT_BYTES``, configurable with ``--model-image-limit``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from tritonship.errors import BadInput
from tritonship.image.modelcar import MODELS_DIR

MODELS_PREFIX = MODELS_DIR.strip("/")  # "models": tar names carry no leading slash
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
GIB = 1024**3
DEFAULT_LIMIT_BYTES = 200 * GIB  # a few large models; raise with --model-image-limit

# layer media type -> compression (OCI image-spec media-types.md; Docker's v2 schema 2 names)
LAYER_MEDIA_TYPES = {
    "application/vnd.oci.image.layer.v1.tar": "none",
    "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
}


class UnsafeEntry(BadInput):
    """A layer entry that a safe extraction refuses (exit 2)."""


@dataclass(frozen=True)
class Entry:
    """What a tar header says about one entry."""

    name: str
    kind: str  # file | dir | symlink | hardlink | char | block | fifo | other
    size: int = 0
    linkname: str = ""
    mode: int = 0o644


@dataclass(frozen=True)
class Action:
    """What to do for an entry; `path` is relative to the model repository ("" = the repository itself)."""

    op: str  # skip | dir | file | symlink | hardlink | whiteout | opaque
    path: str = ""
    target: str = ""  # symlink: the link text (relative); hardlink: the linked path in the repository
    size: int = 0
    mode: int = 0o644


def clean_name(name: str, where: str) -> str:
    """A tar name as a normalised relative POSIX path ("" for the root); absolute or `..` names are refused."""
    if "\x00" in name:
        raise UnsafeEntry(f"{where}: entry name {name[:80]!r} contains a NUL byte")
    if name.startswith("/"):
        raise UnsafeEntry(f"{where}: entry {name[:120]!r} has an absolute path")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeEntry(f"{where}: entry {name[:120]!r} climbs out with '..'")
    return "/".join(parts)


def in_models(path: str) -> str | None:
    """`path` (image-relative) as a repository-relative path, or None when it is not under /models."""
    if path == MODELS_PREFIX:
        return ""
    if path.startswith(MODELS_PREFIX + "/"):
        return path[len(MODELS_PREFIX) + 1:]
    return None


def classify(entry: Entry, where: str) -> Action:
    """The action for one entry of a layer; UnsafeEntry for what a safe extraction refuses."""
    path = clean_name(entry.name, where)
    base = posixpath.basename(path)
    if base.startswith(WHITEOUT):
        return _whiteout(path, base, where)
    if entry.kind in ("char", "block", "fifo"):
        raise UnsafeEntry(f"{where}: entry {path!r} is a {_KIND_WORDS[entry.kind]}; a model image holds files only")
    if entry.kind not in ("file", "dir", "symlink", "hardlink"):
        raise UnsafeEntry(f"{where}: entry {path!r} has an unsupported type")
    repo_path = in_models(path)
    if repo_path is None:
        return Action("skip", path)
    mode = entry.mode & 0o777
    if entry.kind == "dir":
        return Action("dir", repo_path, mode=mode | 0o700)
    if repo_path == "":
        raise UnsafeEntry(f"{where}: {MODELS_DIR} itself is not a directory in this layer")
    if entry.kind == "file":
        return Action("file", repo_path, size=entry.size, mode=mode | 0o600)
    if entry.kind == "symlink":
        return Action("symlink", repo_path, target=symlink_target(path, entry.linkname, where))
    return Action("hardlink", repo_path, target=hardlink_target(entry.linkname, where, path))


_KIND_WORDS = {"char": "character device", "block": "block device", "fifo": "FIFO"}


def _whiteout(path: str, base: str, where: str) -> Action:
    parent = posixpath.dirname(path)
    if base == OPAQUE:
        repo_parent = "" if parent == "" else in_models(parent)  # an opaque root hides the lower /models too
        return Action("skip", path) if repo_parent is None else Action("opaque", repo_parent)
    if base.startswith(WHITEOUT + WHITEOUT):
        return Action("skip", path)  # aufs metadata (.wh..wh.plnk, ...): not a deletion
    victim = base[len(WHITEOUT):]
    if victim in ("", ".", ".."):
        raise UnsafeEntry(f"{where}: whiteout {path!r} names no file")
    target = posixpath.join(parent, victim) if parent else victim
    repo_target = in_models(target)
    if repo_target is None:
        return Action("skip", path)
    return Action("whiteout", repo_target)


def symlink_target(path: str, linkname: str, where: str) -> str:
    """The link text to write for a symlink at image path `path`: relative, and resolving inside /models."""
    if not linkname or "\x00" in linkname:
        raise UnsafeEntry(f"{where}: symbolic link {path!r} has no usable target")
    if linkname.startswith("/"):
        resolved = posixpath.normpath(linkname).lstrip("/")  # absolute: from the image's root
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), linkname))
    repo_target = None if resolved.startswith("..") else in_models(resolved)
    if repo_target is None:
        raise UnsafeEntry(f"{where}: symbolic link {path!r} -> {linkname[:120]!r} points outside {MODELS_DIR}")
    if not linkname.startswith("/"):
        return linkname  # as written: what it resolves to is checked again once every layer is applied
    link_dir = posixpath.dirname(in_models(path) or "")
    return posixpath.relpath(repo_target or ".", link_dir or ".")


def hardlink_target(linkname: str, where: str, path: str) -> str:
    """The repository path a hard link names (tar hard links name an archive path); inside /models only."""
    target = clean_name(linkname, where)
    repo_target = in_models(target)
    if not repo_target:
        raise UnsafeEntry(f"{where}: hard link {path!r} -> {linkname[:120]!r} links outside {MODELS_DIR}")
    return repo_target


def check_model_image_ref(value: str | None, flag: str = "--model-image") -> str | None:
    """`REPOSITORY@sha256:<64 hex>`, stripped; BadInput when empty or not pinned by digest."""
    if value is None:
        return None
    from tritonship.image.reference import parse_reference

    text = value.strip()
    if not text:
        raise BadInput(f"{flag} is empty", hint="give the model image as REPOSITORY@sha256:<digest> "
                       "(build's result.json: model_image)")
    ref = parse_reference(text)
    if ref.digest is None or not re.fullmatch(r"sha256:[0-9a-f]{64}", ref.digest):
        raise BadInput(f"{flag} {text[:120]!r} is not pinned by digest",
                       hint="give REPOSITORY@sha256:<64 hex digits>: the artifact tested is the artifact that ships")
    return text


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": GIB, "T": 1024**4}


def parse_size(value: str, flag: str = "--model-image-limit") -> int:
    """Bytes from `1024`, `512M`, `20G`, `1.5TiB` (binary units); BadInput otherwise."""
    match = _SIZE.match(value or "")
    if not match:
        raise BadInput(f"{flag} {value[:40]!r}: expected a size such as 500M, 20G or 1T")
    number, unit = float(match.group(1)), (match.group(2) or "").upper()[:1]
    size = int(number * _UNITS["B" if unit == "B" else unit])
    if size <= 0:
        raise BadInput(f"{flag} {value!r}: must be more than 0 bytes")
    return size


def over_limit(total: int, limit: int, what: str) -> str | None:
    """The message when `total` bytes of `what` pass `limit`, else None."""
    if total <= limit:
        return None
    return f"the model image's {what} pass the limit of {limit:,} bytes ({total:,} so far)"
