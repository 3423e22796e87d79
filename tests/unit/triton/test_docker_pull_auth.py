"""`smoke --image` pulls with TRITONSHIP_REGISTRY_USER/PASSWORD (what tritonSmokeTest's registryCredentialsId binds)."""

from __future__ import annotations

import json

import docker
import pytest

from tritonship.errors import InfraError
from tritonship.triton.docker_launch import launch_docker, pull_auth

IMAGE = "registry.example.com/ml/models@sha256:" + "a" * 64


def test_env_credentials_become_the_pull_auth(tmp_path):
    env = {"TRITONSHIP_REGISTRY_USER": "ci", "TRITONSHIP_REGISTRY_PASSWORD": "s3cret", "DOCKER_CONFIG": str(tmp_path)}
    assert pull_auth(IMAGE, env) == {"username": "ci", "password": "s3cret"}


def test_docker_config_credentials_are_left_to_the_docker_sdk(tmp_path):
    auths = {"auths": {"registry.example.com": {"username": "u", "password": "p"}}}
    (tmp_path / "config.json").write_text(json.dumps(auths))
    assert pull_auth(IMAGE, {"DOCKER_CONFIG": str(tmp_path)}) is None
    assert pull_auth(IMAGE, {"DOCKER_CONFIG": str(tmp_path / "none")}) is None


class _Recorder:
    """Stands in for the docker SDK client: records the pull, refuses to run (containers cannot run here)."""

    def __init__(self) -> None:
        self.pulls: list[tuple[str, dict | None]] = []
        self.images = self
        self.containers = self

    def pull(self, image: str, auth_config: dict | None = None) -> None:
        self.pulls.append((image, auth_config))

    def run(self, **_request) -> None:
        raise docker.errors.DockerException("no containers on this machine")


def test_launch_pulls_with_env_credentials_before_running(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("TRITONSHIP_REGISTRY_USER", "ci")
    monkeypatch.setenv("TRITONSHIP_REGISTRY_PASSWORD", "s3cret")
    client = _Recorder()
    with pytest.raises(InfraError) as err, launch_docker(IMAGE, timeout=1, client=client, log_path=tmp_path / "log"):
        pass
    assert client.pulls == [(IMAGE, {"username": "ci", "password": "s3cret"})]
    assert "s3cret" not in str(err.value)


def test_launch_without_env_credentials_does_not_pull_itself(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("TRITONSHIP_REGISTRY_USER", raising=False)
    monkeypatch.delenv("TRITONSHIP_REGISTRY_PASSWORD", raising=False)
    client = _Recorder()
    with pytest.raises(InfraError, match="cannot start a container"), \
            launch_docker(IMAGE, timeout=1, client=client, log_path=tmp_path / "log"):
        pass
    assert client.pulls == []
