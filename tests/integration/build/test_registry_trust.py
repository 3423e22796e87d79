"""Trust nothing unverified from a registry: a junk HTTP server is not a registry, a manifest must hash to the
digest asked for (and to Docker-Content-Digest), and a cache hit needs the repository-digest label."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from tests.conftest import EXAMPLE_REPO
from tests.integration.build.conftest import push_tiny_base
from tests.integration.build.test_build_push import RecordingBuilder, _plan
from tests.junk_http import junk_server

from tritonship.errors import ProtocolError
from tritonship.image.build import build_and_push
from tritonship.image.builders.buildah import BuildahBuilder
from tritonship.image.registry import RegistryClient

pytestmark = pytest.mark.integration

OCI = "application/vnd.oci.image.manifest.v1+json"
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": OCI, "config": {"digest": "sha256:" + "c" * 64},
                       "layers": []}).encode()
API = {"Docker-Distribution-API-Version": "registry/2.0"}


def test_build_against_an_html_server_exits_3_before_anything_is_trusted(run_cli, tmp_path):
    with junk_server() as url:
        host = url.removeprefix("http://")
        result = run_cli("build", "--repository", str(EXAMPLE_REPO), "--registry", f"{host}/ml", "--name", "x",
                         "--builder", "buildah", "--insecure-registry", "--json")
    assert result.exit_code == 3, result.stderr
    assert "not an OCI distribution API" in result.stderr and "HTML page" in result.stderr
    assert "cache hit" not in result.stdout + result.stderr
    assert result.json()["status"] == "error"


def test_a_manifest_that_does_not_hash_to_the_digest_asked_for_is_refused():
    asked = "sha256:" + "a" * 64
    path = f"/v2/ml/x/manifests/{asked}"
    with junk_server({"/v2/": (200, API, b"{}"), path: (200, {"Content-Type": OCI, **API}, MANIFEST)}) as url:
        client = RegistryClient(url.removeprefix("http://"), insecure=True, retries=0)
        client.ping()  # a distribution API answers /v2/
        with pytest.raises(ProtocolError, match="hashes to sha256:"):
            client.manifest_digest("ml/x", asked)  # the preflight's question: never "exists" with another digest


def test_docker_content_digest_must_match_the_bytes():
    lie = {"Content-Type": OCI, "Docker-Content-Digest": "sha256:" + "b" * 64}
    with junk_server({"/v2/ml/x/manifests/v1": (200, lie, MANIFEST)}) as url:
        client = RegistryClient(url.removeprefix("http://"), insecure=True, retries=0)
        with pytest.raises(ProtocolError, match="Docker-Content-Digest says"):
            client.get_manifest("ml/x", "v1")


def test_a_manifest_of_another_media_type_is_refused():
    digest = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
    with junk_server({f"/v2/ml/x/manifests/{digest}": (200, {"Content-Type": "text/plain"}, MANIFEST)}) as url:
        client = RegistryClient(url.removeprefix("http://"), insecure=True, retries=0)
        with pytest.raises(ProtocolError, match="not a manifest type"):
            client.get_manifest("ml/x", digest)


def test_the_real_registry_passes_every_check(registry):
    client = RegistryClient(registry.host, insecure=True)
    client.ping()


def test_a_tag_without_the_repository_digest_label_is_not_a_cache_hit(registry, base_image, buildah_store, tmp_path):
    """Someone pushed another image under the content-addressed tag: tritonship builds instead of trusting it."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_REPO, repo, ignore=shutil.ignore_patterns("__pycache__"))
    plan = _plan(repo, registry, base_image, "forged")
    push_tiny_base(buildah_store, tmp_path / "forged", f"{registry.host}/ml/forged:{plan.tags[0]}")
    client = RegistryClient(registry.host, insecure=True)
    forged = client.manifest_digest("ml/forged", plan.tags[0])
    builder = RecordingBuilder(BuildahBuilder(root=str(buildah_store.root), runroot=str(buildah_store.runroot)))
    messages: list[str] = []

    result = build_and_push(plan, client=client, builder=builder, progress=messages.append)
    assert not result.cached and builder.calls == 1 and result.digest != forged
    assert any("does not carry io.tritonship.repository-digest" in m for m in messages), messages
    assert client.manifest_digest("ml/forged", plan.tags[0]) == result.digest
