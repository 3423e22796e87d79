"""`tritonship build` end to end: buildah and the docker SDK (podman), a real registry, read back by API."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_REPO, EXAMPLES
from tests.integration.build.conftest import (
    REGISTRY_PASSWORD,
    REGISTRY_USER,
    free_port,
    push_shell_base,
    push_tiny_base,
)
from tests.integration.build.image_inspect import image_config, image_file, image_files

from tritonship.errors import InfraError
from tritonship.image.build import build_and_push
from tritonship.image.builders.base import OCI_LAYER_TAR, OCI_MANIFEST, LocalImage
from tritonship.image.builders.buildah import BuildahBuilder
from tritonship.image.builders.docker_sdk import DockerSdkBuilder
from tritonship.image.credentials import Credentials
from tritonship.image.plan import BuildOptions, plan_build
from tritonship.image.push import push_image
from tritonship.image.registry import RegistryClient
from tritonship.repository.digest import list_files

pytestmark = pytest.mark.integration

EPOCH_ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


class RecordingBuilder:
    """Wraps a real builder and counts its calls: a cache hit must not call it."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    def build(self, request):
        self.calls += 1
        return self.inner.build(request)


def _copy_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_REPO, repo, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".tritonshipignore").write_text("*.tmp\n")
    (repo / "add_sub" / "notes.tmp").write_text("scratch, never in the image")
    return repo


def _plan(repo: Path, registry, base_image: str, name: str, builder: str = "buildah", **extra):
    options = BuildOptions(repo, f"{registry.host}/ml", name, base_image, builder, version="1.0", insecure=True,
                           **extra)
    return plan_build(options, env=EPOCH_ENV)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_builds_pushes_and_labels_the_example(run_cli, registry, base_image, buildah_store, tmp_path):
    result = run_cli("build", "--spec", str(EXAMPLES / "tritonship.yaml"), "--registry", f"{registry.host}/ml",
                     "--name", "example-cli", "--base-image", base_image, "--builder", "buildah",
                     "--insecure-registry", "--json", "--report-dir", str(tmp_path / "report"),
                     env=buildah_store.env())
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert json.loads((tmp_path / "report" / "result.json").read_text()) == doc
    assert doc["status"] == "passed" and doc["cached"] is False and doc["builder"] == "buildah"
    assert doc["image"] == f"{registry.host}/ml/example-cli@{doc['digest']}"
    assert doc["tags"][0].endswith("-" + doc["repository_digest"].removeprefix("sha256:")[:12])
    client = RegistryClient(registry.host, insecure=True)
    assert client.manifest_digest("ml/example-cli", doc["tags"][0].rsplit(":", 1)[1]) == doc["digest"]
    config = image_config(client, "ml/example-cli", doc["digest"])
    labels = config["config"]["Labels"]
    assert labels["io.tritonship.repository-digest"] == doc["repository_digest"]
    assert labels["io.tritonship.models"] == "add_sub:1,add_sub_sum:1,scale_fp16:1,sum_varlen:1,text_upper:1"
    assert labels["org.opencontainers.image.revision"]  # the example lives in this git checkout
    assert config["config"]["Entrypoint"][:2] == ["tritonserver", "--model-repository=/models"]
    files = image_files(client, "ml/example-cli", doc["digest"])
    assert files["models/add_sub/config.pbtxt"] == (0o644, _sha(EXAMPLE_REPO / "add_sub" / "config.pbtxt"))
    assert "etc/base-release" in files  # the base image's layer is there too


def test_rebuild_is_reproducible_and_a_cache_hit_never_calls_the_builder(registry, base_image, buildah_store,
                                                                         tmp_path):
    repo = _copy_repo(tmp_path)
    plan = _plan(repo, registry, base_image, "repro", extra_tags=("stable",))
    client = RegistryClient(registry.host, insecure=True)
    builder = RecordingBuilder(BuildahBuilder(root=str(buildah_store.root), runroot=str(buildah_store.runroot)))

    first = build_and_push(plan, client=client, builder=builder)
    again = build_and_push(plan, client=client, builder=builder, force=True)
    assert (first.cached, again.cached, builder.calls) == (False, False, 2)
    assert again.digest == first.digest  # same input, same manifest digest
    assert again.push.blobs_uploaded == 0

    cached = build_and_push(plan, client=client, builder=builder)
    assert cached.cached and cached.digest == first.digest
    assert builder.calls == 2
    assert client.manifest_digest("ml/repro", "stable") == first.digest
    files = image_files(client, "ml/repro", first.digest)
    assert "models/add_sub/notes.tmp" not in files  # .tritonshipignore honoured
    labels = image_config(client, "ml/repro", first.digest)["config"]["Labels"]
    assert labels["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z"


def test_docker_sdk_backend_builds_the_same_content(registry, base_image, buildah_store, podman_socket, tmp_path):
    repo = _copy_repo(tmp_path)
    client = RegistryClient(registry.host, insecure=True)
    by_buildah = build_and_push(_plan(repo, registry, base_image, "same-buildah"), client=client,
                                builder=BuildahBuilder(root=str(buildah_store.root),
                                                       runroot=str(buildah_store.runroot)))
    by_docker = build_and_push(_plan(repo, registry, base_image, "same-docker", builder="docker"), client=client,
                               builder=DockerSdkBuilder(base_url=podman_socket))
    files_b = image_files(client, "ml/same-buildah", by_buildah.digest)
    files_d = image_files(client, "ml/same-docker", by_docker.digest)
    assert {p for p in files_b if p.startswith("models/")} == {f"models/{e.relpath}" for e in list_files(repo)}
    assert {p: v for p, v in files_d.items() if p.startswith("models/")} == {
        p: v for p, v in files_b.items() if p.startswith("models/")
    }
    config_b = image_config(client, "ml/same-buildah", by_buildah.digest)["config"]
    config_d = image_config(client, "ml/same-docker", by_docker.digest)["config"]
    assert config_d["Entrypoint"] == config_b["Entrypoint"]
    key = "io.tritonship.repository-digest"
    assert config_d["Labels"][key] == config_b["Labels"][key]


def test_requirements_are_installed_by_a_run_step(registry, buildah_store, tmp_path):
    if not Path("/bin/dash").exists() or not Path("/lib64/ld-linux-x86-64.so.2").exists():
        pytest.skip("needs /bin/dash and glibc at the Debian paths to make a base image with a shell")
    base = push_shell_base(buildah_store, tmp_path / "base", f"{registry.host}/test/shell-base:1")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("numpy==1.26.4\n")
    plan = _plan(_copy_repo(tmp_path), registry, base, "with-requirements", requirements=requirements)
    client = RegistryClient(registry.host, insecure=True)
    result = build_and_push(plan, client=client, builder=BuildahBuilder(root=str(buildah_store.root),
                                                                        runroot=str(buildah_store.runroot)))
    assert "tmp/tritonship-requirements.txt" not in image_files(client, "ml/with-requirements", result.digest)
    pip_args = image_file(client, "ml/with-requirements", result.digest, "pip-args").decode()  # the RUN ran
    assert pip_args.split() == ["-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check",
                                "-r", "/tmp/tritonship-requirements.txt"]


def test_a_failed_push_leaves_no_tag(registry, tmp_path):
    config, layer = b'{"os":"linux","architecture":"amd64"}', tmp_path / "layer.tar"
    layer.write_bytes(b"these bytes do not match the digest the manifest names")
    wrong = "sha256:" + hashlib.sha256(b"something else").hexdigest()
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    (tmp_path / "config").write_bytes(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": config_digest, "size": len(config)},
                           "layers": [{"mediaType": OCI_LAYER_TAR, "digest": wrong, "size": 10}]}).encode()
    image = LocalImage(manifest, OCI_MANIFEST, {wrong: layer, config_digest: tmp_path / "config"})
    client = RegistryClient(registry.host, insecure=True, retries=0)
    with pytest.raises(InfraError):
        push_image(client, "ml/partial", image, ["v1"])
    assert client.manifest_digest("ml/partial", "v1") is None


def test_rejected_credentials_exit_3_and_no_secret_anywhere(run_cli, auth_registry, tmp_path):
    secret = "wr0ng-" + REGISTRY_PASSWORD
    result = run_cli("build", "--repository", str(EXAMPLE_REPO), "--registry", f"{auth_registry.host}/ml",
                     "--name", "denied", "--base-image", "example.invalid/base:1", "--builder", "buildah",
                     "--insecure-registry", "--json", "--report-dir", str(tmp_path / "report"),
                     env={"TRITONSHIP_REGISTRY_USER": REGISTRY_USER, "TRITONSHIP_REGISTRY_PASSWORD": secret})
    assert result.exit_code == 3
    assert "rejected the credentials" in result.stderr
    report = (tmp_path / "report" / "result.json").read_text()
    assert json.loads(report)["status"] == "error"
    for text in (result.stdout, result.stderr, report):
        assert secret not in text and base64.b64encode(f"{REGISTRY_USER}:{secret}".encode()).decode() not in text


def test_credentials_from_docker_config_push_to_an_authenticated_registry(run_cli, auth_registry, buildah_store,
                                                                         tmp_path):
    auth = base64.b64encode(f"{REGISTRY_USER}:{REGISTRY_PASSWORD}".encode()).decode()
    docker_config = tmp_path / "docker"
    docker_config.mkdir()
    (docker_config / "config.json").write_text(json.dumps({"auths": {auth_registry.host: {"auth": auth}}}))
    base = push_tiny_base(buildah_store, tmp_path / "base", f"{auth_registry.host}/test/base:1",
                          authfile=docker_config / "config.json")
    result = run_cli("build", "--repository", str(EXAMPLE_REPO), "--registry", f"{auth_registry.host}/ml",
                     "--name", "with-auth", "--base-image", base, "--builder", "buildah", "--insecure-registry",
                     "--json", env={"DOCKER_CONFIG": str(docker_config), **buildah_store.env()})
    assert result.exit_code == 0, result.stderr
    assert REGISTRY_PASSWORD not in result.stdout + result.stderr
    creds = Credentials(REGISTRY_USER, REGISTRY_PASSWORD)
    client = RegistryClient(auth_registry.host, insecure=True, credentials=creds)
    assert client.manifest_digest("ml/with-auth", result.json()["digest"]) == result.json()["digest"]


def test_unreachable_registry_exits_3(run_cli, tmp_path):
    result = run_cli("build", "--repository", str(EXAMPLE_REPO), "--registry", f"127.0.0.1:{free_port()}/ml",
                     "--name", "nowhere", "--base-image", "example.invalid/base:1", "--builder", "buildah",
                     "--insecure-registry", "--report-dir", str(tmp_path / "r"))
    assert result.exit_code == 3
    assert "cannot reach registry" in result.stderr
    assert "Traceback" not in result.stderr
