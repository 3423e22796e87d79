"""Layer descriptors of a manifest: sharing the base image's blobs, and compressed media types. Pure.

A layer blob may be stored compressed while the image config names it by its *uncompressed* digest
(`rootfs.diff_ids`, OCI image-spec config.md). Our builders export every layer uncompressed, so the base
image's layers come out with digests the registry has never seen; when our first diff_ids equal the
base image's, the base's own (compressed) blobs describe the same filesystem, and the manifest can name
those instead: the registry already holds them, so pushing them costs a cross-repository mount.
"""

from __future__ import annotations

from typing import Any

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
# Docker schema2 layer types and their OCI equivalents (the bytes are the same; containers/image maps them so)
_OCI_LAYER = {
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar": "application/vnd.oci.image.layer.v1.tar",
}
UNCOMPRESSED = ("application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar")
COMPRESSED_TYPE = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}


def diff_ids(config: dict[str, Any]) -> list[str]:
    return list((config.get("rootfs") or {}).get("diff_ids") or [])


def pick_platform(index: dict[str, Any], os_name: str, architecture: str) -> str | None:
    """The digest of the index entry for os/architecture (the image we build on), or None."""
    for entry in index.get("manifests", []):
        platform = entry.get("platform") or {}
        if platform.get("os") == os_name and platform.get("architecture") == architecture:
            return entry.get("digest")
    return None


def share_base_layers(manifest: dict[str, Any], config: dict[str, Any], base_manifest: dict[str, Any],
                      base_config: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(manifest naming the base's blobs for the layers it shares with the base, digests now shared).

    Only a common prefix is shared, and only when each layer's uncompressed digest matches position by
    position: the image is the base plus our layers, in that order.
    """
    ours, theirs = diff_ids(config), diff_ids(base_config)
    base_layers = base_manifest.get("layers", [])
    if len(theirs) != len(base_layers):
        return manifest, []
    layers = [dict(layer) for layer in manifest.get("layers", [])]
    shared = []
    for i, (mine, base_id) in enumerate(zip(ours, theirs, strict=False)):
        if mine != base_id or i >= len(layers):
            break
        base = base_layers[i]
        if layers[i]["digest"] != base["digest"]:
            layers[i] = {"mediaType": _OCI_LAYER.get(base["mediaType"], base["mediaType"]),
                         "digest": base["digest"], "size": base["size"]}
        shared.append(base["digest"])
    return {**manifest, "layers": layers}, shared


def compressed_layer(layer: dict[str, Any], algorithm: str, digest: str, size: int) -> dict[str, Any]:
    """The descriptor of `layer` after compressing its blob (annotations kept)."""
    return {**layer, "mediaType": COMPRESSED_TYPE[algorithm], "digest": digest, "size": size}
