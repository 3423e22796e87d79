"""`--launch docker`: run the built image with GPUs through the docker SDK, on free loopback ports.

The request mirrors `docker run --gpus all --shm-size 1g --ulimit memlock=-1 --ulimit stack=67108864
-p 127.0.0.1:H:8000 -p 127.0.0.1:G:8001 -p 127.0.0.1:M:8002 IMAGE tritonserver --model-repository=/models`
(NVIDIA's recommended settings). The container's log is saved to `log_path` and the container is
stopped and removed afterwards, also on KeyboardInterrupt.

A modelcar release (`--image TRITON --model-image MODELS`) runs as the pod runs it: a fresh volume, the
model image's copier run into it (the init container: `docker run --network none -v VOL:/mnt/tritonship-models
MODELS` with entrypoint `/tritonship/bin/busybox cp -R /models/. /mnt/tritonship-models`), then the Triton image
unchanged with `-v VOL:/models:ro`; the volume is removed afterwards.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tritonship.errors import InfraError
from tritonship.image.modelcar import COPIER, MODELS_DIR, SHARED_MOUNT, copy_command
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
                      extra_args: Sequence[str] = (), models_volume: str | None = None) -> dict[str, Any]:
    """Keyword arguments for `docker.from_env().containers.run(**request)`; `models_volume` (the modelcar
    layout) is mounted read-only at `repository`, as the pod's shared volume is."""
    from docker.types import DeviceRequest, Ulimit

    volumes = {"volumes": {models_volume: {"bind": repository, "mode": "ro"}}} if models_volume else {}
    return volumes | {
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


def copier_request(model_image: str, volume: str) -> dict[str, Any]:
    """The init container of the modelcar pod as a container request: the model image's static copier copies
    its /models into the shared volume (image/modelcar.copy_command), with no network."""
    return {"image": model_image, "entrypoint": copy_command(SHARED_MOUNT), "detach": True, "network_disabled": True,
            "volumes": {volume: {"bind": SHARED_MOUNT, "mode": "rw"}}, "labels": {LABEL: "smoke-models"}}


@contextlib.contextmanager
def launch_docker(image: str, *, timeout: float = 120.0, log_path: Path | None = None, gpus: bool = True,
                  extra_args: Sequence[str] = (), client=None, strict_readiness: bool = True,
                  model_image: str | None = None) -> Iterator[TritonServer]:
    """Run `image` as a Triton container; yield a TritonServer once models settled; always remove it.

    With `model_image` (modelcar), the models reach the container the way the pod's init container delivers
    them: a fresh volume, the copier run from the model image into it, then Triton on the volume at /models.
    """
    import docker

    client = client or docker_client()
    ports = Ports(*free_ports(3))
    log_path = Path(log_path) if log_path else new_log_path()
    with contextlib.ExitStack() as cleanup:
        try:
            _pull(client, image)
            volume = _models_volume(client, model_image, cleanup) if model_image else None
            request = container_request(image, ports, gpus=gpus, extra_args=extra_args, models_volume=volume,
                                        repository=MODELS_DIR if volume else IMAGE_REPOSITORY)
            container = client.containers.run(**request)
        except docker.errors.DockerException as exc:
            raise InfraError(f"cannot start a container from {image}: {exc}") from exc
        cleanup.callback(_discard, container, log_path)
        server = _wait(container, ports, log_path, timeout)
        if strict_readiness and server.failed_models:
            raise InfraError(not_ready_message(server.failed_models), hint=f"container log: {log_path}")
        yield server


def _pull(client, image: str) -> None:
    auth = pull_auth(image)
    if auth is not None:  # the daemon knows only its own config: pull with TRITONSHIP_REGISTRY_USER/PASSWORD
        client.images.pull(image, auth_config=auth)


def _models_volume(client, model_image: str, cleanup: contextlib.ExitStack) -> str:
    """A new volume holding the model image's /models (removed on exit); InfraError when the copy fails."""
    import docker

    _pull(client, model_image)
    volume = client.volumes.create(name=f"tritonship-models-{uuid.uuid4().hex[:12]}", labels={LABEL: "smoke-models"})
    cleanup.callback(_suppressed, volume.remove, force=True)
    copier = client.containers.run(**copier_request(model_image, volume.name))
    try:
        status = int((copier.wait(timeout=3600) or {}).get("StatusCode", -1))
        if status != 0:
            tail = copier.logs(stdout=True, stderr=True).decode("utf-8", "replace")[-2000:]
            raise InfraError(f"copying the models out of {model_image} failed (exit {status}):\n{tail}",
                             hint="the model image needs its copier at " + COPIER + " (tritonship build --layout "
                                  "modelcar puts it there)")
    finally:
        with contextlib.suppress(docker.errors.DockerException):
            copier.remove(force=True)
    return volume.name


def _suppressed(call, **kwargs) -> None:
    import docker

    with contextlib.suppress(docker.errors.DockerException):
        call(**kwargs)


def _discard(container, log_path: Path) -> None:
    import docker

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
