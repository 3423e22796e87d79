"""A real metrics stack for canary tests: tritonservers playing tracks, scraped by a real Prometheus.

Started once for this package (it has an __init__.py so that they stop when it ends): servers
`healthy_a` and `healthy_b` serve the example's add_sub; `bad` fails every third request and sleeps
15 ms per request; a Prometheus scrapes them as the tracks of one namespace per scenario; steady
traffic goes to every server.
"""

from __future__ import annotations

import contextlib
import time

import pytest

from tritonship_standins.prometheus import ScrapeTarget, local_prometheus
from tritonship_standins.traffic import Traffic, faulty_repository

APP = "example-models"
# One namespace per scenario: which server plays which track there. One Prometheus scrapes them all
# for the whole package (its first scrape takes ~5 s), so each test just picks its namespace.
SCENARIOS = {
    "canary-healthy": {"stable": "healthy_a", "baseline": "healthy_a", "canary": "healthy_b"},
    "canary-bad": {"stable": "healthy_a", "baseline": "healthy_a", "canary": "bad"},
    "no-canary": {"stable": "healthy_a"},
    "bg-bad": {"blue": "healthy_a", "green": "bad"},
    "bg-good": {"blue": "healthy_a", "green": "healthy_b"},
    "judge": {"baseline": "healthy_a", "canary": "healthy_b", "bad": "bad"},
}


@pytest.fixture(scope="package")
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
        yield servers


def metrics_address(server) -> str:
    return server.metrics_url.split("://", 1)[1].split("/", 1)[0]


@pytest.fixture(scope="package")
def prometheus_url(tritons, tmp_path_factory):
    """A real Prometheus (1 s scrapes) over every scenario, with steady traffic to every server, and
    the rate windows filled before the first test."""
    targets = [ScrapeTarget(metrics_address(tritons[server]), namespace, APP, track)
               for namespace, tracks in SCENARIOS.items() for track, server in tracks.items()]
    workdir = tmp_path_factory.mktemp("prometheus")
    with local_prometheus(workdir, targets, interval_s=1.0, timeout=60) as prom, \
            Traffic([s.http_url for s in tritons.values()], rate=25):
        time.sleep(5)  # a full 4 s rate window of traffic
        yield prom.url


STABLE = "127.0.0.1:5999/ml/example-models@sha256:" + "a" * 64
NEW = "127.0.0.1:5999/ml/example-models@sha256:" + "c" * 64

SPEC = """\
version: 1
project: {app}
model_repository: models
notifications:
  webhook: {webhook}
environments:
  prod:
    namespace: {namespace}
    replicas: 4
    resources: {{ cpu: 500m, memory: 1Gi }}
    strategy:
{strategy}
    analysis:
      prometheus: {prometheus}
      model: add_sub
      window: 4s
      interval: 0.5s
      count: 3
      initial_delay: 0.5s
      consecutive_error_limit: 2
      metrics:
        - {{ name: success-rate, builtin: success_rate, success: {{ min: 0.99 }} }}
        - {{ name: latency, builtin: avg_latency_ms, success: {{ max: 10 }} }}
      judge:
        samples: 6
        interval: 0.5s
        confidence: 0.95
        metrics:
          - {{ name: latency, builtin: avg_latency_ms, direction: increase, allowed_change_pct: 300 }}
          - {{ name: success-rate, builtin: success_rate, direction: decrease, allowed_change_pct: 1, critical: true }}
"""

CANARY = """\
      canary:
        baseline: true
        progress_deadline: 3s
        steps:
          - set_weight: 25
          - analysis: { judge: true }
          - set_weight: 50
          - analysis: { metrics: [success-rate] }
"""

BLUE_GREEN = """\
      blue_green:
        pre_promotion_analysis: {pre}
        mirrored_traffic: true       # Prometheus sees the preview's tracks served (see SCENARIOS)
        pre_promotion_smoke: {smoke}
        preview_url: {preview}
        manual_pause: {manual}
        scale_down_delay: {delay}
        progress_deadline: 3s
"""


@pytest.fixture
def sim():
    from tritonship_standins.kube import KubeSimulator

    with KubeSimulator(nodes=2, ready_delay=0.1, namespaces=tuple(SCENARIOS)) as simulator:
        yield simulator


@pytest.fixture
def promote_cli(run_cli, sim, tmp_path):
    """write(strategy=..., prometheus=URL) then run("promote", ...) in-process with --json."""
    kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
    spec_path = tmp_path / "tritonship.yaml"

    def write(strategy: str, prometheus: str, namespace: str, webhook: str = "null") -> None:
        spec_path.write_text(SPEC.format(app=APP, namespace=namespace, strategy=strategy, prometheus=prometheus,
                                         webhook=webhook))

    def verb(name: str, *args: str):
        env = {"KUBECONFIG": str(kubeconfig), "BUILD_URL": "", "TRITONSHIP_PROMETHEUS_URL": "",
               "TRITONSHIP_WEBHOOK_URL": ""}
        return run_cli(name, "--spec", str(spec_path), "--env", "prod", *args, "--json", env=env)

    def run(*args: str):
        return verb("promote", *args)

    run.write = write
    run.verb = verb
    return run


def image_args(image: str) -> list[str]:
    return ["--image", image, "--skip-preflight", "image"]


def deployment(sim, name: str, namespace: str) -> dict | None:
    return sim.get("Deployment", name, namespace)
