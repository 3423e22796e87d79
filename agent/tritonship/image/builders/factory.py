"""Choosing a builder: the spec's or flag's name, or detection (`auto`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from tritonship.errors import BadInput, InfraError
from tritonship.image.builders.base import Builder

NAMES = ("auto", "buildah", "docker", "kaniko")
DOCKER_SOCKET = Path("/var/run/docker.sock")


def detect_builder(env: Mapping[str, str], which: Callable[[str], str | None] = shutil.which,
                   docker_socket: bool | None = None) -> str:
    """`auto`: buildah when installed (daemonless), else docker when DOCKER_HOST or the socket exists."""
    if which("buildah"):
        return "buildah"
    has_socket = DOCKER_SOCKET.exists() if docker_socket is None else docker_socket
    if env.get("DOCKER_HOST") or has_socket:
        return "docker"
    raise InfraError("no image builder found: buildah is not installed and no docker API is reachable",
                     hint="install buildah, set DOCKER_HOST, or choose --builder kaniko in a Kubernetes pod")


def resolve_builder_name(name: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if name not in NAMES:
        raise BadInput(f"unknown builder {name!r}: choose one of {', '.join(NAMES)}")
    return detect_builder(env) if name == "auto" else name


def make_builder(name: str, env: Mapping[str, str] | None = None) -> Builder:
    env = os.environ if env is None else env
    if name == "buildah":
        from tritonship.image.builders.buildah import BuildahBuilder

        return BuildahBuilder(root=env.get("TRITONSHIP_BUILDAH_ROOT"), runroot=env.get("TRITONSHIP_BUILDAH_RUNROOT"))
    if name == "docker":
        from tritonship.image.builders.docker_sdk import DockerSdkBuilder

        return DockerSdkBuilder(base_url=env.get("DOCKER_HOST"))
    if name == "kaniko":  # render-only: `build` writes the context and the executor arguments instead
        raise BadInput("the kaniko builder runs in a Jenkins Kubernetes pod; here tritonship only renders its "
                       "arguments", hint="run `tritonship build --builder kaniko`, or use buildah/docker")
    raise BadInput(f"unknown builder {name!r}: choose one of {', '.join(NAMES[1:])}")
