"""The base image of a docker build, pulled by tritonship itself when the daemon cannot be told whom to trust.

A Docker daemon (or Podman's Docker-compatible service) pulls `FROM` with its own trust store
(/etc/docker/certs.d/HOST:PORT/ca.crt, /etc/containers/certs.d): the Docker API has no parameter
for a CA. So with `--ca-file`, the docker builder fetches the base image through tritonship's
registry client (which trusts that CA), writes it as a `docker save` archive (manifest.json with
RepoTags, config `<hex>.json`, uncompressed `<diff_id hex>/layer.tar`, as moby's image/tarexport
writes it) and loads it (`POST /images/load`); the build, with `pull=False`, then finds it locally.
A base the daemon already holds is left as it is. A digest-pinned base cannot be named in an
archive's RepoTags, and a daemon looks a digest up by the registry manifest it never saw: that is
bad input with what to do instead.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import platform
import tarfile
from pathlib import Path
from typing import Any

from tritonship.errors import BadInput, InfraError
from tritonship.image.builders.base import BuildRequest
from tritonship.image.reference import parse_reference

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def preload_base(client: Any, request: BuildRequest, workdir: Path) -> bool:
    """Load the base image into the daemon unless it holds it; True when it was loaded."""
    ref = parse_reference(request.base_image)
    if ref.digest:
        raise BadInput(f"the docker builder can bring {request.base_image} from a private-CA registry only by tag",
                       hint="name the base image by tag (image.base_image), or use --builder buildah (--cert-dir)")
    if _daemon_has(client, request.base_image):
        return False
    archive = write_archive(_registry(request, ref.registry), ref.repository, ref.tag or "latest",
                            request.base_image, workdir / "base-image.tar")
    with archive.open("rb") as handle:
        for event in client.api.load_image(handle):
            if isinstance(event, dict) and event.get("error"):
                raise InfraError(f"the docker daemon refused the base image archive: {event['error']}")
    return True


def write_archive(registry: Any, repository: str, tag: str, repo_tag: str, path: Path) -> Path:
    """`docker save` layout of repository:tag (its platform's image when it is an index)."""
    manifest = _image_manifest(registry, repository, tag)
    config = registry.get_blob(repository, manifest["config"]["digest"])
    diff_ids = (json.loads(config).get("rootfs") or {}).get("diff_ids") or []
    if len(diff_ids) != len(manifest.get("layers", [])):
        raise InfraError(f"{repo_tag}: the config names {len(diff_ids)} layers, the manifest "
                         f"{len(manifest.get('layers', []))}")
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    layer_names = []
    with tarfile.open(path, "w") as tar:
        _add(tar, config_name, config)
        for layer, diff_id in zip(manifest.get("layers", []), diff_ids, strict=True):
            data = _uncompressed(registry.get_blob(repository, layer["digest"]), layer.get("mediaType", ""))
            if "sha256:" + hashlib.sha256(data).hexdigest() != diff_id:
                raise InfraError(f"{repo_tag}: layer {layer['digest']} does not unpack to its diff_id {diff_id}")
            name = f"{diff_id.split(':', 1)[1]}/layer.tar"
            _add(tar, name, data)
            layer_names.append(name)
        _add(tar, "manifest.json", json.dumps([{"Config": config_name, "RepoTags": [repo_tag],
                                                "Layers": layer_names}]).encode())
    return path


def _image_manifest(registry: Any, repository: str, reference: str) -> dict:
    from tritonship.image.layers import pick_platform

    doc = registry.get_manifest(repository, reference).json()
    if "manifests" not in doc:
        return doc
    arch = _ARCH.get(platform.machine(), platform.machine())
    digest = pick_platform(doc, "linux", arch)
    if digest is None:
        raise InfraError(f"{registry.host}/{repository}:{reference} has no linux/{arch} image")
    return registry.get_manifest(repository, digest).json()


def _uncompressed(data: bytes, media_type: str) -> bytes:
    if media_type.endswith("gzip") or data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if media_type.endswith("zstd") or data[:4] == b"\x28\xb5\x2f\xfd":
        from tritonship.image.compress import _zstd_module

        return _zstd_module().ZstdDecompressor().decompressobj().decompress(data)
    return data


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _daemon_has(client: Any, name: str) -> bool:
    try:
        client.api.inspect_image(name)
    except Exception:  # docker.errors.ImageNotFound (and any other answer: fetch it ourselves)
        return False
    return True


def _registry(request: BuildRequest, host: str) -> Any:
    from tritonship.image.registry import RegistryClient
    from tritonship.image.trust import registry_session

    return RegistryClient(host, insecure=host in request.insecure_hosts, credentials=request.credentials.get(host),
                          session=registry_session(request.ca_file))
