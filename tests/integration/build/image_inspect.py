"""Read an image back through the registry API: config, labels, and the files its layers hold."""

from __future__ import annotations

import hashlib
import io
import tarfile

from tritonship.image.registry import RegistryClient


def image_config(client: RegistryClient, repository: str, reference: str) -> dict:
    return client.get_config(repository, reference)


def image_file(client: RegistryClient, repository: str, reference: str, path: str) -> bytes:
    """The bytes of one file of the image, from the last layer that holds it."""
    manifest = client.get_manifest(repository, reference).json()
    found = None
    for layer in manifest["layers"]:
        with tarfile.open(fileobj=io.BytesIO(client.get_blob(repository, layer["digest"])), mode="r:*") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.lstrip("./") == path:
                    found = tar.extractfile(member).read()
    if found is None:
        raise AssertionError(f"{path} is not in {repository}@{reference}")
    return found


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
