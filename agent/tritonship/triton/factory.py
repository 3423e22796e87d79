"""One factory over the three ways to get a server: a local process, a docker container, or a URL.

    with open_server("repository", "model_repository", timeout=120) as server:   # -> TritonServer
        ...

Each yields a TritonServer once every model settled (ready, or failed with a reason in `server.index`);
a server we started is stopped on exit. With strict_readiness=False failed loads are data, not errors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tritonship.errors import BadInput
from tritonship.triton.launcher import TritonServer, wait_settled

if TYPE_CHECKING:
    from tritonship.image.unpack import ModelImageSource

KINDS = ("repository", "url", "image", "model-image")


@dataclass(frozen=True)
class Endpoints:
    http: str
    grpc: str
    metrics: str


def endpoints(url: str, grpc_url: str | None = None, metrics_url: str | None = None) -> Endpoints:
    """HTTP HOST:PORT (default port 8000) and, unless given, gRPC on PORT+1 and metrics on PORT+2
    (Triton's default layout). Parsed by the one endpoint parser, `urls.parse_endpoint`."""
    from tritonship.urls import parse_endpoint

    http = parse_endpoint(url, "--url", default_port=8000)
    return Endpoints(str(http), grpc_url or str(http.shifted(1)), metrics_url or f"http://{http.shifted(2)}/metrics")


@contextlib.contextmanager
def open_server(kind: str, value: str, *, timeout: float = 120.0, tritonserver: str | None = None,
                log_path: Path | None = None, grpc_url: str | None = None, metrics_url: str | None = None,
                strict_readiness: bool = True, progress: Callable[[str], None] | None = None,
                extra_args: Sequence[str] = (), model_image: ModelImageSource | None = None) -> Iterator[TritonServer]:
    """`extra_args` go to a server we start (e.g. explicit model control); a --url server is as it is.

    `model_image` (a modelcar model image): kind `model-image` unpacks it (image/unpack.py) into a temporary
    repository for a local tritonserver; kind `image` copies it into a volume the Triton container reads.
    """
    say = progress or (lambda _msg: None)
    from tritonship.urls import refuse_credentials

    refuse_credentials(grpc_url, "--grpc-url")
    if kind == "model-image":
        from tritonship.image.unpack import unpacked_model_image

        if model_image is None:
            raise BadInput("a model-image server needs the model image's source")
        say(f"fetching and unpacking {model_image.reference}")
        with unpacked_model_image(model_image, progress=say) as unpacked, \
                open_server("repository", str(unpacked.repository), timeout=timeout, tritonserver=tritonserver,
                            log_path=log_path, strict_readiness=strict_readiness, progress=progress,
                            extra_args=extra_args) as server:
            yield server
        return
    if kind == "url":
        urls = endpoints(value, grpc_url, metrics_url)
        say(f"waiting for Triton at {urls.http} (up to {timeout:g}s)")
        index = wait_settled(urls.http, timeout)
        yield TritonServer(urls.http, urls.grpc, urls.metrics, log_path=None, pid=0, index=tuple(index))
        return
    if kind == "repository":
        from tritonship.triton.launcher import launch_local

        if not Path(value).is_dir():
            raise BadInput(f"model repository {value} is not a directory")
        say(f"starting tritonserver on {value}")
        context = launch_local(Path(value), tritonserver=tritonserver, timeout=timeout, log_path=log_path,
                               strict_readiness=strict_readiness, extra_args=extra_args)
    elif kind == "image":
        from tritonship.triton.docker_launch import launch_docker

        say(f"starting a Triton container from {value}"
            + (f" with the models of {model_image.reference}" if model_image else ""))
        context = launch_docker(value, timeout=timeout, log_path=log_path, strict_readiness=strict_readiness,
                                extra_args=extra_args, model_image=model_image.reference if model_image else None)
    else:
        raise BadInput(f"unknown server kind {kind!r} (one of {', '.join(KINDS)})")
    with context as server:
        yield server
