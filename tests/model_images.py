"""Hand-made model images for tests: layers as tar archives built entry by entry (whiteouts, links, devices
included), pushed with our own registry client. What `tritonship build --layout modelcar` pushes has the
same shape: layers of /models plus the copier, no base image."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable
from pathlib import Path

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
TAR = "application/vnd.oci.image.layer.v1.tar"
TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"

_TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
          "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}


def layer(*entries: tuple) -> bytes:
    """A tar of entries: (name, "file", bytes) | (name, "dir") | (name, "symlink"|"hardlink", target) | (name, kind)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, *rest in entries:
            info = tarfile.TarInfo(name)
            info.type = _TYPES[kind]
            info.mode = 0o755 if kind == "dir" else 0o644
            info.mtime = 0
            data = None
            if kind == "file":
                data = rest[0] if rest else b""
                info.size = len(data)
            elif kind in ("symlink", "hardlink"):
                info.linkname = rest[0]
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def tree_layer(root: Path, prefix: str = "models") -> bytes:
    """A tar of a folder, its entries under `prefix/` (as a model image holds a model repository)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(root, arcname=prefix, filter=_no_cache)
    return out.getvalue()


def _no_cache(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in info.name else info


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def zstded(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=3).compress(data)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def manifest_for(layers: Iterable[tuple[str, bytes]], config: bytes = b"{}") -> tuple[bytes, dict[str, bytes]]:
    """(manifest bytes, blobs by digest) for layers given as (media type, blob)."""
    layers = list(layers)
    blobs = {sha256(config): config} | {sha256(blob): blob for _, blob in layers}
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
                "layers": [{"mediaType": media, "digest": sha256(blob), "size": len(blob)} for media, blob in layers]}
    return json.dumps(manifest).encode(), blobs


def push_model_image(client, repository: str, layers: Iterable[tuple[str, bytes]]) -> str:
    """Push with our registry client; returns `HOST/REPOSITORY@sha256:...`."""
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    manifest, blobs = manifest_for(layers, config)
    for digest, blob in blobs.items():
        client.upload_blob(repository, digest, blob)
    digest = client.put_manifest(repository, sha256(manifest), manifest, OCI_MANIFEST)
    return f"{client.host}/{repository}@{digest}"
