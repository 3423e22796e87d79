"""Read an image back through the registry API: config, labels, and the files its layers hold."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

from tritonship.image.registry import RegistryClient


def image_config(client: RegistryClient, repository: str, reference: str) -> dict:
    manifest = client.get_manifest(repository, reference).json()
    return json.loads(client.get_blob(repository, manifest["config"]["digest"]))


def image_files(client: RegistryClient, repository: str, reference: str) -> dict[str, tuple[int, str]]:
    """Every regular file of the image (later layers win): path -> (mode, sha256 of its bytes)."""
    manifest = client.get_manifest(repository, reference).json()
    files: dict[str, tuple[int, str]] = {}
    for layer in manifest["layers"]:
        data = client.get_blob(repository, layer["digest"])
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            for member in tar.getmembers():
                if member.isfile():
                    body = tar.extractfile(member).read()
                    files[member.name.lstrip("./")] = (member.mode & 0o7777, hashlib.sha256(body).hexdigest())
    return files
