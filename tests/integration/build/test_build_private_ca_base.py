"""--ca-file reaches the builder's pull of the base image: the base lives in the local docker-registry
served over TLS with a test CA (the `tls_registry` fixture); the built image goes to the plain loopback
registry. buildah gets a --cert-dir holding the CA; the docker builder (podman's Docker-compatible API,
which trusts only its own store) gets the base loaded by tritonship. Without the CA both fail clearly."""

from __future__ import annotations

import subprocess

import pytest
from tests.conftest import EXAMPLES
from tests.integration.build.conftest import BuildahStore, push_tiny_base
from tests.integration.build.image_inspect import image_files
from tests.integration.build.test_build_push import _copy_repo, _plan

from tritonship.errors import BadInput, InfraError
from tritonship.image.build import build_and_push
from tritonship.image.builders.buildah import BuildahBuilder
from tritonship.image.builders.docker_sdk import DockerSdkBuilder
from tritonship.image.registry import RegistryClient
from tritonship.image.trust import registry_session

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tls_base(tls_registry, buildah_store, tmp_path_factory) -> str:
    registry, _ = tls_registry
    return push_tiny_base(buildah_store, tmp_path_factory.mktemp("tls-base"), f"{registry.host}/test/base:1")


def fresh_store(tmp_path) -> BuildahStore:
    """A store that has never pulled the base, so the build must pull it (buildah pulls only what is missing)."""
    return BuildahStore(tmp_path / "buildah-root", tmp_path / "buildah-run")


def test_cli_buildah_pulls_the_base_through_the_ca_file(run_cli, registry, tls_registry, tls_base, tmp_path):
    _, ca = tls_registry
    store = fresh_store(tmp_path)
    args = ["build", "--spec", str(EXAMPLES / "tritonship.yaml"), "--registry", f"{registry.host}/ml",
            "--name", "from-private-ca", "--base-image", tls_base, "--builder", "buildah", "--insecure-registry",
            "--json"]
    refused = run_cli(*args, env=store.env())
    assert refused.exit_code == 3
    assert "certificate signed by unknown authority" in refused.stderr
    assert "give its CA with --ca-file / image.ca_file" in refused.stderr
    done = run_cli(*args, "--ca-file", str(ca), env=store.env())
    assert done.exit_code == 0, done.stderr
    files = image_files(RegistryClient(registry.host, insecure=True), "ml/from-private-ca", done.json()["digest"])
    assert "etc/base-release" in files and "models/add_sub/config.pbtxt" in files


def test_docker_builder_loads_the_base_it_cannot_pull(registry, tls_registry, tls_base, podman_socket, tmp_path):
    _, ca = tls_registry
    repo = _copy_repo(tmp_path)
    client = RegistryClient(registry.host, insecure=True)
    plan = _plan(repo, registry, tls_base, "docker-private-ca", builder="docker")
    with pytest.raises(InfraError) as refused:
        build_and_push(plan, client=client, builder=DockerSdkBuilder(base_url=podman_socket))
    assert "give its CA with --ca-file" in (refused.value.hint or ""), refused.value.message
    built = build_and_push(plan, client=client, builder=DockerSdkBuilder(base_url=podman_socket), ca_file=ca)
    files = image_files(client, "ml/docker-private-ca", built.digest)
    assert "etc/base-release" in files and "models/add_sub/config.pbtxt" in files


def test_a_ca_that_does_not_sign_the_registry_says_so(registry, tls_registry, tls_base, tmp_path):
    other = tmp_path / "other-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k"),
                    "-out", str(other), "-days", "1", "-subj", "/CN=another CA"], check=True, capture_output=True)
    plan = _plan(_copy_repo(tmp_path), registry, tls_base, "wrong-ca")
    store = fresh_store(tmp_path)
    with pytest.raises(InfraError) as refused:
        build_and_push(plan, client=RegistryClient(registry.host, insecure=True), ca_file=other,
                       builder=BuildahBuilder(root=str(store.root), runroot=str(store.runroot)))
    assert refused.value.hint.startswith("the CA given with --ca-file / image.ca_file does not sign")


def test_docker_builder_with_a_digest_pinned_private_base_is_bad_input(registry, tls_registry, tls_base,
                                                                      podman_socket, tmp_path):
    tls, ca = tls_registry
    digest = RegistryClient(tls.host, session=registry_session(ca)).manifest_digest("test/base", "1")
    plan = _plan(_copy_repo(tmp_path), registry, f"{tls.host}/test/base@{digest}", "pinned", builder="docker")
    with pytest.raises(BadInput, match="only by tag"):
        build_and_push(plan, client=RegistryClient(registry.host, insecure=True),
                       builder=DockerSdkBuilder(base_url=podman_socket), ca_file=ca)
