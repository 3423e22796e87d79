"""`--launch docker`: run the built image with GPUs through the docker SDK, on free loopback ports.

The request mirrors `docker run --gpus all --shm-size 1g --ulimit memlock=-1 --ulimit stack=67108864
-p 127.0.0.1:H:8000 -p 127.0.0.1:G:8001 -p 127.0.0.1:M:8002 IMAGE tritonserver --model-repository=/models`
(NVIDIA's recommended settings). The container's log is saved to `log_path` and the container is
stopped and removed afterwards, also on KeyboardInterrupt.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tritonship.errors import InfraError
from tritonship.triton.launcher import (
    Ports,
    ServerExited,
    TritonServer,
    free_ports,
    log_tail,
    new_log_path,
    not_ready_message,
    wait_settled,
)

IMAGE_REPOSITORY = "/models"  # where image/Dockerfile.j2 copies the model repository
STACK_BYTES = 67108864
LABEL = "io.tritonship.role"


def container_request(image: str, ports: Ports, *, gpus: bool = True, repository: str = IMAGE_REPOSITORY,
                      extra_args: Sequence[str] = ()) -> dict[str, Any]:
    """Keyword arguments for `docker.from_env().containers.run(**request)`."""
    from docker.types import DeviceRequest, Ulimit

    return {
        "image": image,
        "entrypoint": ["tritonserver"],
        "command": [f"--model-repository={repository}", "--exit-on-error=false", "--exit-timeout-secs=5",
                    "--allow-metrics=true", "--allow-gpu-metrics=true", *extra_args],
        "detach": True,
        "ports": {"8000/tcp": ("127.0.0.1", ports.http), "8001/tcp": ("127.0.0.1", ports.grpc),
                  "8002/tcp": ("127.0.0.1", ports.metrics)},
        "device_requests": [DeviceRequest(count=-1, capabilities=[["gpu"]])] if gpus else [],
        "shm_size": "1g",
        "ulimits": [Ulimit(name="memlock", soft=-1, hard=-1), Ulimit(name="stack", soft=STACK_BYTES, hard=STACK_BYTES)],
        "labels": {LABEL: "smoke"},
    }


def pull_auth(image: str, env: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """auth_config for pulling `image` when TRITONSHIP_REGISTRY_USER/PASSWORD are set, else None.

    Credentials in the docker config file need nothing: the docker SDK sends those itself.
    """
    from tritonship.image.credentials import find_credentials
    from tritonship.image.reference import parse_reference

    creds = find_credentials(parse_reference(image).registry, env)
    if creds is None or creds.source != "env":
        return None
    return {"username": creds.username, "password": creds.password}


def docker_client():
    """The docker SDK client from the environment (DOCKER_HOST etc.), or InfraError."""
    import docker

    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        raise InfraError(f"cannot reach the docker daemon: {exc}",
                         hint="check DOCKER_HOST / the docker socket") from exc
    return client


@contextlib.contextmanager
def launch_docker(image: str, *, timeout: float = 120.0, log_path: Path | None = None, gpus: bool = True,
                  extra_args: Sequence[str] = (), client=None, strict_readiness: bool = True) -> Iterator[TritonServer]:
    """Run `image` as a Triton container; yield a TritonServer once models settled; always remove it."""
    import docker

    client = client or docker_client()
    ports = Ports(*free_ports(3))
    log_path = Path(log_path) if log_path else new_log_path()
    auth = pull_auth(image)
    try:
        if auth is not None:  # the daemon knows only its own config: pull with TRITONSHIP_REGISTRY_USER/PASSWORD
            client.images.pull(image, auth_config=auth)
        container = client.containers.run(**container_request(image, ports, gpus=gpus, extra_args=extra_args))
    except docker.errors.DockerException as exc:
        raise InfraError(f"cannot start a container from {image}: {exc}") from exc
    try:
        server = _wait(container, ports, log_path, timeout)
        if strict_readiness and server.failed_models:
            raise InfraError(not_ready_message(server.failed_models), hint=f"container log: {log_path}")
        yield server
    finally:
        _save_log(container, log_path)
        with contextlib.suppress(docker.errors.DockerException):
            container.stop(timeout=10)
        with contextlib.suppress(docker.errors.DockerException):
            container.remove(force=True)


def _wait(container, ports: Ports, log_path: Path, timeout: float) -> TritonServer:
    http_url = f"127.0.0.1:{ports.http}"

    def exited() -> str | None:
        container.reload()
        if container.status in ("exited", "dead"):
            _save_log(container, log_path)
            return log_tail(log_path)
        return None

    try:
        index = wait_settled(http_url, timeout, exited=exited)
    except ServerExited as exc:
        raise InfraError(f"the Triton container exited before it was ready:\n{exc.tail}",
                         hint=f"container log: {log_path}") from None
    return TritonServer(http_url=http_url, grpc_url=f"127.0.0.1:{ports.grpc}",
                        metrics_url=f"http://127.0.0.1:{ports.metrics}/metrics", log_path=log_path,
                        pid=int(container.attrs.get("State", {}).get("Pid") or 0), index=tuple(index))


def _save_log(container, log_path: Path) -> None:
    with contextlib.suppress(Exception):
        log_path.write_bytes(container.logs(stdout=True, stderr=True))
