"""`smoke --image TRITON --model-image MODELS --launch docker`: the models are delivered as the pod delivers them
(a volume, the model image's copier, then Triton on the volume). Containers cannot run here, so the exact
requests to the docker SDK are what is checked, as for the baked image."""

from __future__ import annotations

import docker
import pytest

from tritonship.errors import InfraError
from tritonship.triton.docker_launch import container_request, copier_request, launch_docker
from tritonship.triton.launcher import Ports

TRITON = "nvcr.io/nvidia/tritonserver@sha256:" + "1" * 64
MODELS = "registry.example.com/ml/fraud-models@sha256:" + "2" * 64


class _Thing:
    def __init__(self, owner: _Docker, name: str, status: int = 0) -> None:
        self.owner, self.name, self.status = owner, name, status

    def wait(self, timeout: int) -> dict:
        return {"StatusCode": self.status}

    def logs(self, stdout: bool, stderr: bool) -> bytes:
        return b"cp: can't create '/mnt/tritonship-models/x': Permission denied\n"

    def remove(self, force: bool = False) -> None:
        self.owner.removed.append(self.name)


class _Docker:
    """Stands in for the docker SDK client: records requests; runs the copier; cannot run Triton."""

    def __init__(self, copier_status: int = 0) -> None:
        self.runs: list[dict] = []
        self.volumes_made: list[dict] = []
        self.removed: list[str] = []
        self.copier_status = copier_status
        self.images = self.containers = self.volumes = self

    def pull(self, image: str, auth_config: dict | None = None) -> None:
        raise AssertionError("no pull without TRITONSHIP_REGISTRY_USER")

    def create(self, **request) -> _Thing:
        self.volumes_made.append(request)
        return _Thing(self, request["name"])

    def run(self, **request) -> _Thing:
        self.runs.append(request)
        if request["image"] == MODELS:
            return _Thing(self, "copier", self.copier_status)
        raise docker.errors.DockerException("no containers on this machine")


def _launch(client: _Docker, tmp_path, monkeypatch) -> InfraError:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("TRITONSHIP_REGISTRY_USER", raising=False)
    with pytest.raises(InfraError) as err, launch_docker(TRITON, timeout=1, client=client, model_image=MODELS,
                                                         log_path=tmp_path / "log"):
        pass
    return err.value


def test_the_copier_fills_a_volume_that_triton_then_reads_at_models(tmp_path, monkeypatch):
    client = _Docker()
    error = _launch(client, tmp_path, monkeypatch)
    assert "cannot start a container from " + TRITON in error.message
    volume = client.volumes_made[0]["name"]
    assert volume.startswith("tritonship-models-")
    copier, triton = client.runs
    assert copier == {"image": MODELS, "detach": True, "network_disabled": True,
                      "entrypoint": ["/tritonship/bin/busybox", "cp", "-R", "/models/.", "/mnt/tritonship-models"],
                      "volumes": {volume: {"bind": "/mnt/tritonship-models", "mode": "rw"}},
                      "labels": {"io.tritonship.role": "smoke-models"}}
    assert copier == copier_request(MODELS, volume)
    ports = Ports(*(triton["ports"][f"{p}/tcp"][1] for p in (8000, 8001, 8002)))
    assert triton == container_request(TRITON, ports, models_volume=volume)
    assert triton["image"] == TRITON and triton["entrypoint"] == ["tritonserver"]
    assert triton["volumes"] == {volume: {"bind": "/models", "mode": "ro"}}
    assert triton["command"][0] == "--model-repository=/models"
    assert client.removed == ["copier", volume]  # the copier at once, the volume on the way out


def test_a_failed_copy_is_an_infrastructure_error_with_its_log_and_leaves_no_volume(tmp_path, monkeypatch):
    client = _Docker(copier_status=1)
    error = _launch(client, tmp_path, monkeypatch)
    assert f"copying the models out of {MODELS} failed (exit 1)" in error.message
    assert "Permission denied" in error.message
    assert len(client.runs) == 1  # Triton was never started
    assert client.removed == ["copier", client.volumes_made[0]["name"]]


def test_a_baked_image_request_is_unchanged():
    assert "volumes" not in container_request(TRITON, Ports(1, 2, 3))
