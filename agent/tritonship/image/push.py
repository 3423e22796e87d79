"""Pushing a local image: blobs, then the manifest by digest, verified, and only then the tags.

A push that fails half-way leaves blobs (harmless, unreferenced) but never a tag: tags are written
last, and only after the registry confirms it holds the manifest under the expected digest.

Scaling to multi-GB model images on a shared Triton base: when the base image lives in the same registry,
the layers we share with it are named by the base's own blobs and mounted from its repository (no bytes
sent); blobs go up in parallel; large ones in chunks that resume after a dropped connection; layers may be
compressed first (gzip or zstd).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import InfraError
from tritonship.image.blob_upload import CHUNK_BYTES, BlobOutcome, push_blob
from tritonship.image.builders.base import LocalImage
from tritonship.image.compress import compress_image
from tritonship.image.layers import DOCKER_LIST, OCI_INDEX, pick_platform, share_base_layers
from tritonship.image.reference import ImageRef
from tritonship.image.registry import Manifest, RegistryClient

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PushOptions:
    parallel: int = 4  # blobs uploaded at once
    chunk_bytes: int = CHUNK_BYTES  # larger blobs go up in chunks of this size
    compression: str = "none"  # none | gzip | zstd
    base: ImageRef | None = None  # the base image, when it is in the registry we push to
    mount_from: tuple[str, ...] = ()  # more repositories of this registry that may hold our blobs


@dataclass(frozen=True)
class PushResult:
    digest: str
    blobs_uploaded: int
    blobs_present: int
    bytes_uploaded: int
    blobs_mounted: int = 0
    base_layers_shared: int = 0
    chunks_resumed: int = 0
    uploads_restarted: int = 0
    outcomes: tuple[BlobOutcome, ...] = ()  # per blob: present | mounted | uploaded, and the bytes sent


def push_image(
    client: RegistryClient, repository: str, image: LocalImage, tags: Sequence[str],
    progress: Progress = lambda _msg: None, *, options: PushOptions | None = None,
) -> PushResult:
    options = options or PushOptions()
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max(1, options.parallel), thread_name_prefix="push"))
        image, shared = share_base(client, image, options.base, progress)
        if options.compression != "none":
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tritonship-compress-")))
            image = compress_image(image, options.compression, workdir, pool, keep=shared, progress=progress)
        sources = tuple(dict.fromkeys([*([options.base.repository] if options.base else []), *options.mount_from]))
        outcomes = _push_blobs(pool, client, repository, image, sources=sources, chunk_bytes=options.chunk_bytes,
                               progress=progress)
        digest = client.put_manifest(repository, image.digest, image.manifest, image.media_type)
    confirmed = client.manifest_digest(repository, digest)
    if confirmed != digest:
        raise InfraError(f"registry {client.host} does not hold {repository}@{digest} after the push; no tag written")
    tag_image(client, repository, Manifest(image.media_type, digest, image.manifest), tags)
    count = lambda how: sum(1 for o in outcomes if o.how == how)  # noqa: E731
    return PushResult(digest, count("uploaded"), count("present"), sum(o.bytes_sent for o in outcomes),
                      count("mounted"), len(shared), sum(o.resumed for o in outcomes),
                      sum(o.restarted for o in outcomes), tuple(outcomes))


def _push_blobs(pool: ThreadPoolExecutor, client: RegistryClient, repository: str, image: LocalImage, *,
                sources: tuple[str, ...], chunk_bytes: int, progress: Progress) -> list[BlobOutcome]:
    jobs = [pool.submit(push_blob, client, repository, digest, image.blobs.get(digest), mount_from=sources,
                        chunk_bytes=chunk_bytes, progress=progress) for digest in image.blob_order()]
    try:
        return [job.result() for job in jobs]
    except BaseException:
        for job in jobs:
            job.cancel()
        raise


def share_base(client: RegistryClient, image: LocalImage, base: ImageRef | None,
               progress: Progress) -> tuple[LocalImage, list[str]]:
    """The image naming the base's own blobs for the layers it shares with the base (see image.layers)."""
    if base is None:
        return image, []
    manifest = image.manifest_json()
    config = json.loads(image.blobs[manifest["config"]["digest"]].read_bytes())
    base_manifest = client.get_manifest(base.repository, base.reference).json()
    if base_manifest.get("mediaType") in (OCI_INDEX, DOCKER_LIST) or "manifests" in base_manifest:
        entry = pick_platform(base_manifest, config.get("os", ""), config.get("architecture", ""))
        if entry is None:
            return image, []
        base_manifest = client.get_manifest(base.repository, entry).json()
    base_config = json.loads(client.get_blob(base.repository, base_manifest["config"]["digest"]))
    updated, shared = share_base_layers(manifest, config, base_manifest, base_config)
    if updated == manifest:
        return image, shared
    progress(f"{len(shared)} base layers are shared with {base}: mounting them instead of uploading")
    body = json.dumps(updated, separators=(",", ":")).encode()
    named = {layer["digest"] for layer in updated["layers"]} | {updated["config"]["digest"]}
    return LocalImage(body, image.media_type, {d: p for d, p in image.blobs.items() if d in named}), shared


def tag_image(client: RegistryClient, repository: str, manifest: Manifest, tags: Sequence[str]) -> list[str]:
    """Point each tag at the manifest's digest (skipping tags already there); returns the tags written."""
    written = []
    for tag in tags:
        if client.manifest_digest(repository, tag) == manifest.digest:
            continue
        if client.put_manifest(repository, tag, manifest.body, manifest.media_type) != manifest.digest:
            raise InfraError(f"registry {client.host}: tag {repository}:{tag} does not match {manifest.digest}")
        written.append(tag)
    return written
