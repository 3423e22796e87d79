"""The docker SDK against DOCKER_HOST (Docker, or Podman's Docker-compatible API).

The daemon builds; we then export the image (`docker save`) and turn it into an OCI manifest with
uncompressed layers, so the push goes through the same registry client as every other builder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tarfile
import uuid
from pathlib import Path

from tritonship.errors import InfraError, TritonshipError
from tritonship.image.builders.base import (
    OCI_CONFIG,
    OCI_LAYER_TAR,
    OCI_MANIFEST,
    BuildRequest,
    LocalImage,
    untrusted_hint,
)

_CHUNK = 1 << 20


class DockerSdkBuilder:
    name = "docker"

    def __init__(self, base_url: str | None = None, timeout: int = 600) -> None:
        self.base_url = base_url
        self.timeout = timeout

    def build(self, request: BuildRequest) -> LocalImage:
        client = self._client()
        tag = f"localhost/tritonship-build:{uuid.uuid4().hex[:16]}"
        try:
            if request.ca_file is not None:  # the daemon pulls with its own trust: bring the base ourselves
                from tritonship.image.builders.base_preload import preload_base

                preload_base(client, request, request.output)
            self._run_build(client, request, tag)
            archive = request.output / "image.tar"
            with archive.open("wb") as handle:
                for chunk in client.api.get_image(tag):
                    handle.write(chunk)
            return docker_archive_to_oci(archive, request.output / "blobs")
        except TritonshipError:
            raise
        except Exception as exc:  # docker.errors.* and requests errors from the daemon connection
            raise InfraError(f"docker builder at {self.base_url or 'DOCKER_HOST'} failed: {exc}") from exc
        finally:
            _remove(client, tag)

    def _client(self):
        import docker

        try:
            client = docker.DockerClient(base_url=self.base_url, timeout=self.timeout) if self.base_url \
                else docker.from_env(timeout=self.timeout)
            client.ping()
        except Exception as exc:
            raise InfraError(f"cannot reach the docker API at {self.base_url or 'DOCKER_HOST'}",
                             hint="set DOCKER_HOST (e.g. unix:///run/podman/podman.sock) or use --builder buildah",
                             ) from exc
        return client

    def _run_build(self, client, request: BuildRequest, tag: str) -> None:
        for event in client.api.build(path=str(request.context), dockerfile=request.dockerfile.name, tag=tag,
                                      rm=True, forcerm=True, decode=True, pull=False):
            if "error" in event:
                message = f"docker build failed: {str(event['error']).strip()}"
                raise InfraError(message, hint=untrusted_hint(message, request.base_image, request.ca_file is not None))


def _remove(client, tag: str) -> None:
    with contextlib.suppress(Exception):  # cleanup of a scratch tag must not hide the real result
        client.api.remove_image(tag, force=True)


def docker_archive_to_oci(archive: Path, blobs: Path) -> LocalImage:
    """`docker save` output -> OCI manifest (config bytes kept as they are, layers uncompressed)."""
    blobs.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        entries = json.loads(_read_member(tar, "manifest.json"))
        if len(entries) != 1:
            raise InfraError(f"{archive}: expected one image in the saved archive, found {len(entries)}")
        config = _read_member(tar, entries[0]["Config"])
        config_digest, _ = _store(blobs, [config])
        layers = []
        for name in entries[0]["Layers"]:
            member = tar.extractfile(name)
            if member is None:
                raise InfraError(f"{archive}: layer {name} is missing")
            digest, size = _store(blobs, iter(lambda m=member: m.read(_CHUNK), b""))
            layers.append({"mediaType": OCI_LAYER_TAR, "digest": digest, "size": size})
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": len(config)}, "layers": layers}
    body = json.dumps(manifest, separators=(",", ":")).encode()
    files = {d["digest"]: blobs / d["digest"].split(":", 1)[1] for d in [manifest["config"], *layers]}
    return LocalImage(body, OCI_MANIFEST, files)


def _read_member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(name)
    if member is None:
        raise InfraError(f"saved image archive lacks {name}")
    return member.read()


def _store(blobs: Path, chunks) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    tmp = blobs / f".tmp-{uuid.uuid4().hex}"
    with tmp.open("wb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
            size += len(chunk)
    tmp.replace(blobs / digest.hexdigest())
    return "sha256:" + digest.hexdigest(), size
