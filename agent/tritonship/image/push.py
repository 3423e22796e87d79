"""Pushing a local image: blobs, then the manifest by digest, verified, and only then the tags.

A push that fails half-way leaves blobs (harmless, unreferenced) but never a tag: tags are written
last, and only after the registry confirms it holds the manifest under the expected digest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tritonship.errors import InfraError
from tritonship.image.builders.base import LocalImage
from tritonship.image.registry import Manifest, RegistryClient


@dataclass(frozen=True)
class PushResult:
    digest: str
    blobs_uploaded: int
    blobs_present: int
    bytes_uploaded: int


def push_image(
    client: RegistryClient, repository: str, image: LocalImage, tags: Sequence[str],
    progress: Callable[[str], None] = lambda _msg: None,
) -> PushResult:
    uploaded = present = sent = 0
    for digest in image.blob_order():
        if client.blob_exists(repository, digest):
            present += 1
            continue
        path = image.blobs[digest]
        size = path.stat().st_size
        progress(f"uploading {digest[:19]} ({size / 1e6:.1f} MB)")
        client.upload_blob(repository, digest, path)
        uploaded += 1
        sent += size
    digest = client.put_manifest(repository, image.digest, image.manifest, image.media_type)
    confirmed = client.manifest_digest(repository, digest)
    if confirmed != digest:
        raise InfraError(f"registry {client.host} does not hold {repository}@{digest} after the push; no tag written")
    tag_image(client, repository, Manifest(image.media_type, digest, image.manifest), tags)
    return PushResult(digest, uploaded, present, sent)


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
