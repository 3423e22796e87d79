"""Optional layer compression before a push: gzip (zlib, every registry and runtime) or zstd (the
`zstandard` package; containerd >= 1.5, CRI-O and podman pull it).

Model weights hardly compress, so the default stays uncompressed; scripts, configs and vocabularies do.
Output is deterministic (gzip without name or mtime, zstd at a fixed level), so the same build pushes the
same digests. Only uncompressed layers are compressed; the config's diff_ids stay the uncompressed digests.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Collection
from concurrent.futures import Executor
from pathlib import Path

from tritonship.errors import BadInput
from tritonship.image.builders.base import LocalImage
from tritonship.image.layers import UNCOMPRESSED, compressed_layer

ALGORITHMS = ("none", "gzip", "zstd")
_BLOCK = 1 << 20


def compress_image(image: LocalImage, algorithm: str, workdir: Path, pool: Executor, *, keep: Collection[str] = (),
                   progress: Callable[[str], None] = lambda _msg: None) -> LocalImage:
    """The same image with its uncompressed layers compressed into `workdir` (in parallel on `pool`).

    Layers in `keep` (the base image's, shared as they are) stay untouched.
    """
    if algorithm == "none":
        return image
    if algorithm not in ALGORITHMS:
        raise BadInput(f"unknown layer compression {algorithm!r} (one of {', '.join(ALGORITHMS)})")
    if algorithm == "zstd":
        _zstd_module()
    manifest = image.manifest_json()
    todo = [layer for layer in manifest.get("layers", []) if layer["mediaType"] in UNCOMPRESSED
            and layer["digest"] in image.blobs and layer["digest"] not in keep]
    progress(f"compressing {len(todo)} layers with {algorithm}")
    jobs = {layer["digest"]: pool.submit(compress_file, image.blobs[layer["digest"]], workdir, algorithm)
            for layer in todo}
    done = {digest: job.result() for digest, job in jobs.items()}
    blobs = dict(image.blobs)
    layers = []
    for layer in manifest.get("layers", []):
        if layer["digest"] not in done:
            layers.append(layer)
            continue
        digest, path = done[layer["digest"]]
        blobs.pop(layer["digest"], None)
        blobs[digest] = path
        layers.append(compressed_layer(layer, algorithm, digest, path.stat().st_size))
    body = json.dumps({**manifest, "layers": layers}, separators=(",", ":")).encode()
    return LocalImage(body, image.media_type, blobs)


def compress_file(source: Path, workdir: Path, algorithm: str) -> tuple[str, Path]:
    """(digest, path) of `source` compressed; the file is named by its digest."""
    workdir.mkdir(parents=True, exist_ok=True)
    partial = workdir / f"{source.name}.{algorithm}.partial"
    digest = hashlib.sha256()
    with source.open("rb") as src, _DigestFile(partial, digest) as out:
        if algorithm == "gzip":
            with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as packed:
                while block := src.read(_BLOCK):
                    packed.write(block)
        else:
            compressor = _zstd_module().ZstdCompressor(level=3)
            with compressor.stream_writer(out, closefd=False) as packed:
                while block := src.read(_BLOCK):
                    packed.write(block)
    name = "sha256:" + digest.hexdigest()
    final = workdir / digest.hexdigest()
    partial.replace(final)
    return name, final


def _zstd_module():
    try:
        import zstandard
    except ImportError as exc:
        raise BadInput("zstd layer compression needs the `zstandard` package",
                       hint="pip install zstandard, or use --compression gzip") from exc
    return zstandard


class _DigestFile:
    """A write-only file that hashes what passes through it."""

    def __init__(self, path: Path, digest) -> None:
        self.handle = path.open("wb")
        self.digest = digest

    def write(self, data) -> int:
        self.digest.update(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()

    def __enter__(self) -> _DigestFile:
        return self

    def __exit__(self, *_exc) -> None:
        self.handle.close()
