"""`--launch docker`: the exact container request (containers cannot run here) and an unreachable daemon."""

from __future__ import annotations

import pytest
from docker.types import DeviceRequest, Ulimit

from tritonship.errors import InfraError
from tritonship.triton.docker_launch import container_request, launch_docker
from tritonship.triton.launcher import Ports


def test_container_request_asks_for_all_gpus_on_loopback_ports():
    request = container_request("registry.local/ml/models@sha256:abc", Ports(18000, 18001, 18002))
    assert request == {
        "image": "registry.local/ml/models@sha256:abc",
        "entrypoint": ["tritonserver"],
        "command": ["--model-repository=/models", "--exit-on-error=false", "--exit-timeout-secs=5",
                    "--allow-metrics=true", "--allow-gpu-metrics=true"],
        "detach": True,
        "ports": {"8000/tcp": ("127.0.0.1", 18000), "8001/tcp": ("127.0.0.1", 18001),
                  "8002/tcp": ("127.0.0.1", 18002)},
        "device_requests": [DeviceRequest(count=-1, capabilities=[["gpu"]])],
        "shm_size": "1g",
        "ulimits": [Ulimit(name="memlock", soft=-1, hard=-1), Ulimit(name="stack", soft=67108864, hard=67108864)],
        "labels": {"io.tritonship.role": "smoke"},
    }
    assert request["device_requests"][0]["Count"] == -1  # what the Engine API receives
    assert request["device_requests"][0]["Capabilities"] == [["gpu"]]


def test_without_gpus_and_with_extra_args():
    request = container_request("img", Ports(1, 2, 3), gpus=False, repository="/srv/models", extra_args=["--x=1"])
    assert request["device_requests"] == []
    assert request["command"][0] == "--model-repository=/srv/models" and request["command"][-1] == "--x=1"


def test_unreachable_docker_daemon_is_an_infrastructure_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no.sock")
    with pytest.raises(InfraError, match="docker daemon"), launch_docker("img", timeout=1):
        pass
