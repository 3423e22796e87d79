"""A real metrics stack for canary tests: tritonservers playing tracks, scraped by a real Prometheus.

Servers (session, started once): `healthy_a` and `healthy_b` serve the example's add_sub; `bad` fails
every third request and sleeps 15 ms per request. Each test starts its own Prometheus (1 s scrapes)
with the servers mapped onto tracks of one namespace/app, and steady traffic to those servers.
"""

from __future__ import annotations

import contextlib
import time

import pytest

from tritonship.testing.prometheus import ScrapeTarget, local_prometheus
from tritonship.testing.traffic import Traffic, faulty_repository

NAMESPACE = "models-prod"
APP = "example-models"


@pytest.fixture(scope="session")
def tritons(tmp_path_factory):
    from tritonship.triton.launcher import launch_local

    root = tmp_path_factory.mktemp("canary-tritons")
    repos = {
        "healthy_a": faulty_repository(root / "healthy_a"),
        "healthy_b": faulty_repository(root / "healthy_b"),
        "bad": faulty_repository(root / "bad", fail_every=3, sleep_ms=15),
    }
    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(launch_local(repo, log_path=root / f"{name}.log", timeout=90))
                   for name, repo in repos.items()}
        with Traffic([s.http_url for s in servers.values()], rate=50):  # warm up: first requests are slow
            time.sleep(2)
        yield servers


def metrics_address(server) -> str:
    return server.metrics_url.split("://", 1)[1].split("/", 1)[0]


@pytest.fixture
def metrics_stack(tritons, tmp_path):
    """start(stable="healthy_a", canary="bad", ...) -> Prometheus URL, with traffic to those servers."""
    stack = contextlib.ExitStack()

    def start(*, traffic: bool = True, rate: float = 25.0, **tracks: str) -> str:
        targets = [ScrapeTarget(metrics_address(tritons[server]), NAMESPACE, APP, track)
                   for track, server in tracks.items()]
        prom = stack.enter_context(local_prometheus(tmp_path / "prometheus", targets, interval_s=1.0))
        if traffic:
            urls = sorted({tritons[s].http_url for s in tracks.values()})
            stack.enter_context(Traffic(urls, rate=rate))
        return prom.url

    with stack:
        yield start
