"""`python -m tritonship_standins.canary_stack`: the metrics side of a canary, on this machine (demo).

Starts two tritonservers on a model repository — one plays the stable (and baseline) pods, one the
canary pods of `APP` in `NAMESPACE` — a Prometheus scraping them with those labels, steady traffic,
and a webhook receiver that logs the notifications it gets. Writes TRITONSHIP_PROMETHEUS_URL and
TRITONSHIP_WEBHOOK_URL to --env-file once everything is up, then runs until SIGTERM/SIGINT.
The Kubernetes side is the API simulator; only the metrics here are real.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from pathlib import Path

import click


@click.command()
@click.option("--workdir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--repository", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Model repository the stable pods serve.")
@click.option("--canary-repository", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Model repository the canary pods serve (default: the same).")
@click.option("--namespace", required=True)
@click.option("--app", required=True)
@click.option("--env-file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rate", default=30.0, show_default=True, help="Requests/s to each server (add_sub).")
def main(*, workdir: Path, repository: Path, canary_repository: Path | None, namespace: str, app: str,
         env_file: Path, rate: float) -> None:
    from tritonship.triton.launcher import launch_local
    from tritonship_standins.prometheus import ScrapeTarget, local_prometheus
    from tritonship_standins.traffic import Traffic
    from tritonship_standins.webhook import WebhookReceiver

    workdir.mkdir(parents=True, exist_ok=True)
    env_file.unlink(missing_ok=True)
    log = (workdir / "notifications.log").open("a", encoding="utf-8")
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with contextlib.ExitStack() as stack:
        stable = stack.enter_context(launch_local(repository, log_path=workdir / "triton-stable.log"))
        canary = stack.enter_context(launch_local(canary_repository or repository,
                                                  log_path=workdir / "triton-canary.log"))
        stack.enter_context(Traffic([stable.http_url, canary.http_url], rate=rate))
        address = {s: s.metrics_url.split("://", 1)[1].split("/", 1)[0] for s in (stable, canary)}
        targets = [ScrapeTarget(address[stable], namespace, app, "stable"),
                   ScrapeTarget(address[stable], namespace, app, "baseline"),
                   ScrapeTarget(address[canary], namespace, app, "canary")]
        prom = stack.enter_context(local_prometheus(workdir / "prometheus", targets, interval_s=1.0, timeout=60))
        hook = stack.enter_context(WebhookReceiver(on_body=lambda body: _log(log, body)))
        env_file.write_text(f"TRITONSHIP_PROMETHEUS_URL={prom.url}\nTRITONSHIP_WEBHOOK_URL={hook.url}\n")
        click.echo(f"stable triton {stable.http_url}, canary triton {canary.http_url}, prometheus {prom.url}",
                   err=True)
        done.wait()
    log.close()


def _log(log, body: dict) -> None:
    log.write(json.dumps({"received": time.strftime("%H:%M:%S"), **body}) + "\n")
    log.flush()


if __name__ == "__main__":
    main()
