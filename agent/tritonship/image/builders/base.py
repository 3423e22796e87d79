"""The builder protocol: build a context into a local OCI image (manifest + blob files)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tritonship.errors import InfraError
from tritonship.image.credentials import Credentials

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"


@dataclass(frozen=True)
class BuildRequest:
    context: Path  # holds Dockerfile, models/, requirements.txt
    dockerfile: Path
    epoch: int  # timestamp of every layer entry and of the image config
    output: Path  # an empty directory the builder may use for the exported image
    base_image: str
    insecure_hosts: tuple[str, ...] = ()
    credentials: Mapping[str, Credentials] = field(default_factory=dict)  # host -> credentials for pulls
    ca_file: Path | None = None  # --ca-file: a private CA the base image's registry is signed by


@dataclass(frozen=True)
class LocalImage:
    """A built image on disk, ready to push: its manifest bytes and every blob it references."""

    manifest: bytes
    media_type: str
    blobs: Mapping[str, Path]  # digest -> file (config and layers)

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.manifest).hexdigest()

    def manifest_json(self) -> dict:
        return json.loads(self.manifest)

    def blob_order(self) -> list[str]:
        """Layers first, config last: the order a registry push uses."""
        doc = self.manifest_json()
        return [layer["digest"] for layer in doc.get("layers", [])] + [doc["config"]["digest"]]


class Builder(Protocol):
    name: str

    def build(self, request: BuildRequest) -> LocalImage: ...


def read_dir_layout(directory: Path) -> LocalImage:
    """The image of a containers `dir:` directory (manifest.json, blobs named by their hex digest)."""
    manifest = (directory / "manifest.json").read_bytes()
    doc = json.loads(manifest)
    blobs = {d["digest"]: directory / d["digest"].split(":", 1)[1] for d in [doc["config"], *doc.get("layers", [])]}
    missing = [digest for digest, path in blobs.items() if not path.is_file()]
    if missing:
        raise InfraError(f"{directory}: exported image lacks blobs {', '.join(missing)}")
    return LocalImage(manifest, doc.get("mediaType") or OCI_MANIFEST, blobs)


UNTRUSTED = ("x509: certificate signed by unknown authority", "certificate verify failed",
             "x509: certificate is not valid", "tls: failed to verify certificate")


def untrusted_hint(output: str, base_image: str, given: bool) -> str | None:
    """What to do when the builder's pull of the base image met a certificate it does not trust."""
    if not any(words in output for words in UNTRUSTED):
        return None
    if given:
        return f"the CA given with --ca-file / image.ca_file does not sign the certificate of {base_image}'s registry"
    return (f"{base_image}'s registry has a certificate this machine does not trust: give its CA with --ca-file / "
            "image.ca_file (the builder's pull of the base image trusts it too)")


def run_tool(argv: Sequence[str], what: str, *, env: Mapping[str, str] | None = None, timeout: float = 3600) -> str:
    """Run a builder CLI (argv list, never a shell); a failure becomes InfraError with the output's tail."""
    import os

    from tritonship.process_env import child_environment

    env = child_environment(os.environ) if env is None else env
    try:
        out = subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise InfraError(f"{argv[0]} is not installed (needed to {what})") from exc
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"{argv[0]} did not finish {what} within {timeout:.0f}s") from exc
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-8:])
        raise InfraError(f"{argv[0]} failed to {what} (exit {out.returncode}):\n{tail}")
    return out.stdout
