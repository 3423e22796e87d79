"""A local Prometheus (the Debian `prometheus` binary) scraping tritonservers as Kubernetes tracks.

Used by the canary tests and the demo. Each target is one Triton metrics endpoint playing a track
(stable, canary, baseline, blue, green) of an app in a namespace. The pod labels a real
`kubernetes_sd_configs` job would discover are given as static `__meta_kubernetes_*` labels and
turned into `namespace`, `app` and `track` by the same relabelling a cluster uses:

    with local_prometheus(tmp, [ScrapeTarget("127.0.0.1:8002", "prod", "app", "canary")]) as prom:
        prom.url  # "http://127.0.0.1:PORT"
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tritonship.errors import InfraError

RELABEL = [
    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
    {"source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "target_label": "app"},
    {"source_labels": ["__meta_kubernetes_pod_label_tritonship_io_track"], "target_label": "track"},
]


@dataclass(frozen=True)
class ScrapeTarget:
    address: str  # host:port of Triton's metrics endpoint
    namespace: str
    app: str
    track: str


@dataclass(frozen=True)
class LocalPrometheus:
    url: str
    config_path: Path
    log_path: Path
    pid: int


def scrape_config(targets: Sequence[ScrapeTarget], interval_s: float = 1.0) -> dict:
    """A prometheus.yml: one job per target (a target may play several tracks)."""
    interval = f"{max(1, round(interval_s * 1000))}ms"
    jobs = [
        {
            "job_name": f"triton-{t.namespace}-{t.app}-{t.track}",
            "scrape_interval": interval,
            "scrape_timeout": interval,
            "static_configs": [{
                "targets": [t.address],
                "labels": {
                    "__meta_kubernetes_namespace": t.namespace,
                    "__meta_kubernetes_pod_label_app_kubernetes_io_name": t.app,
                    "__meta_kubernetes_pod_label_tritonship_io_track": t.track,
                },
            }],
            "relabel_configs": RELABEL,
        }
        for t in targets
    ]
    return {"global": {"scrape_interval": interval, "evaluation_interval": interval}, "scrape_configs": jobs}


def _free_port() -> int:
    from tritonship.triton.launcher import free_ports

    return free_ports(1)[0]


@contextlib.contextmanager
def local_prometheus(workdir: Path, targets: Sequence[ScrapeTarget], *, interval_s: float = 1.0,
                     timeout: float = 30.0, wait_for_targets: bool = True, jobs: Sequence[dict] = (),
                     jobs_targets: int = 0) -> Iterator[LocalPrometheus]:
    """Start Prometheus on a free loopback port; yield once ready (and every target scraped); stop it.
    `jobs` are extra scrape jobs written as given (e.g. a ServiceMonitor's translation), which keep
    `jobs_targets` targets after relabelling."""
    import yaml

    binary = shutil.which("prometheus")
    if binary is None:
        raise InfraError("prometheus is not installed", hint="make setup installs the Debian package 'prometheus'")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    doc = scrape_config(targets, interval_s)
    doc["scrape_configs"] += list(jobs)
    config.write_text(yaml.safe_dump(doc, sort_keys=False))
    log_path = workdir / "prometheus.log"
    port = _free_port()
    argv = [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h", "--log.level=warn"]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    prom = LocalPrometheus(f"http://127.0.0.1:{port}", config, log_path, proc.pid)
    try:
        _wait_ready(proc, prom, len(targets) + jobs_targets if wait_for_targets else 0, timeout)
        yield prom
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(proc: subprocess.Popen, prom: LocalPrometheus, targets: int, timeout: float) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InfraError(f"prometheus exited with {proc.returncode}", hint=f"log: {prom.log_path}")
        try:
            if requests.get(f"{prom.url}/-/ready", timeout=1).ok and _targets_up(prom.url) >= targets:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise InfraError(f"prometheus at {prom.url} not ready with {targets} targets up after {timeout:g}s",
                     hint=f"log: {prom.log_path}")


def _targets_up(url: str) -> int:
    import requests

    answer = requests.get(f"{url}/api/v1/query", params={"query": "sum(up)"}, timeout=2).json()
    result = answer.get("data", {}).get("result", [])
    return int(float(result[0]["value"][1])) if result else 0
