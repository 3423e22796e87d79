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

from tritonship.errors import BadInput
from tritonship.triton.launcher import TritonServer, wait_settled

KINDS = ("repository", "url", "image")


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
                extra_args: Sequence[str] = ()) -> Iterator[TritonServer]:
    """`extra_args` go to a server we start (e.g. explicit model control); a --url server is as it is."""
    say = progress or (lambda _msg: None)
    from tritonship.urls import refuse_credentials

    refuse_credentials(grpc_url, "--grpc-url")
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

        say(f"starting a Triton container from {value}")
        context = launch_docker(value, timeout=timeout, log_path=log_path, strict_readiness=strict_readiness,
                                extra_args=extra_args)
    else:
        raise BadInput(f"unknown server kind {kind!r} (one of {', '.join(KINDS)})")
    with context as server:
        yield server
