"""RegistryClient against a real Debian docker-registry: push, read back, auth, unreachable."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.integration.build.conftest import REGISTRY_PASSWORD, REGISTRY_USER, free_port

from tritonship.errors import InfraError
from tritonship.image.credentials import Credentials
from tritonship.image.registry import RegistryClient

pytestmark = pytest.mark.integration

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _push_tiny(client: RegistryClient, repo: str, tmp_path: Path, tag: str) -> str:
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    layer = tmp_path / "layer.bin"
    layer.write_bytes(b"not really a tar, the registry does not care" * 100)
    layer_digest = _digest(layer.read_bytes())
    client.upload_blob(repo, _digest(config), config)
    client.upload_blob(repo, layer_digest, layer)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": _digest(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest,
                    "size": layer.stat().st_size}],
    }).encode()
    digest = client.put_manifest(repo, _digest(manifest), manifest, OCI_MANIFEST)
    client.put_manifest(repo, tag, manifest, OCI_MANIFEST)
    return digest


def test_push_then_read_back(registry, tmp_path):
    client = RegistryClient(registry.host, insecure=True)
    client.ping()
    assert client.manifest_digest("t/client", "v1") is None
    digest = _push_tiny(client, "t/client", tmp_path, "v1")
    assert client.manifest_digest("t/client", "v1") == digest
    assert client.manifest_digest("t/client", digest) == digest
    manifest = client.get_manifest("t/client", "v1")
    assert manifest.digest == digest
    config = client.get_blob("t/client", manifest.json()["config"]["digest"])
    assert json.loads(config)["os"] == "linux"


def test_basic_auth_with_good_credentials(auth_registry, tmp_path):
    creds = Credentials(REGISTRY_USER, REGISTRY_PASSWORD)
    client = RegistryClient(auth_registry.host, insecure=True, credentials=creds)
    client.ping()
    digest = _push_tiny(client, "t/auth", tmp_path, "v1")
    assert client.manifest_digest("t/auth", "v1") == digest


@pytest.mark.parametrize("credentials", [None, Credentials(REGISTRY_USER, "wrong-password-xyz")])
def test_rejected_credentials_are_infra_errors_without_secret(auth_registry, credentials):
    client = RegistryClient(auth_registry.host, insecure=True, credentials=credentials, retries=0)
    with pytest.raises(InfraError) as info:
        client.manifest_digest("t/auth", "v1")
    text = f"{info.value.message} {info.value.hint} {info.value!r}"
    assert "wrong-password-xyz" not in text
    assert REGISTRY_PASSWORD not in text


def test_unreachable_registry_after_retries():
    sleeps: list[float] = []
    client = RegistryClient(f"127.0.0.1:{free_port()}", insecure=True, retries=2, backoff=0.01, sleep=sleeps.append)
    with pytest.raises(InfraError, match="cannot reach registry"):
        client.manifest_digest("t/x", "v1")
    assert sleeps == [0.01, 0.02]


def test_bearer_token_flow(token_registry, tmp_path):
    registry, service = token_registry
    client = RegistryClient(registry.host, insecure=True, credentials=Credentials(REGISTRY_USER, REGISTRY_PASSWORD))
    digest = _push_tiny(client, "t/bearer", tmp_path, "v1")
    assert client.manifest_digest("t/bearer", "v1") == digest
    scopes = {r.get("scope") for r in service.requests}
    assert "repository:t/bearer:pull,push" in scopes and "repository:t/bearer:pull" in scopes
    denied = RegistryClient(registry.host, insecure=True, credentials=Credentials(REGISTRY_USER, "nope"), retries=0)
    with pytest.raises(InfraError, match="rejected the credentials"):
        denied.manifest_digest("t/bearer", "v1")
