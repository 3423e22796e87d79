"""`tritonship perf`: measure latency and throughput; gate on budgets and regressions."""

from __future__ import annotations

import contextlib

import click

from tritonship.commands.options import (
    global_options,
    load_optional_spec,
    model_image_options,
    settings,
    spec_option,
)
from tritonship.commands.params import DAY_S, Finite
from tritonship.errors import BadInput

_SERVER_FLAGS = ("repository", "url", "grpc_url", "image", "launch", "timeout")
_MODEL_IMAGE_FLAGS = ("model_image", "model_image_limit", "insecure_registry", "ca_file")


@click.command("perf")
@spec_option
@click.option("--repository", type=click.Path(file_okay=False), help="Start a local Triton on this model repository.")
@click.option("--url", help="Measure a running Triton: its HTTP address HOST:PORT.")
@click.option("--grpc-url", help="gRPC address HOST:PORT of that server (default: HTTP port + 1).")
@click.option("--image", help="Start this image as the server (like smoke --image; --launch docker, GPUs requested).")
@click.option("--launch", type=click.Choice(["docker"]), help="How to start --image (default: docker).")
@model_image_options
@click.option("--timeout", type=Finite(min=0, min_open=True, max=DAY_S),
              help="Seconds a started server may take to be ready (default: smoke.timeout, 120).")
@click.option("--model", help="Model to measure (default: perf.model).")
@click.option("--concurrency", help="Closed-loop levels: 1,4,16 or a range start:end:step (perf_analyzer's).")
@click.option("--rate", help="Open-loop request rates per second: 100,500 or start:end:step.")
@click.option("--arrivals", type=click.Choice(["constant", "poisson"]), help="Open-loop arrival process.")
@click.option("--protocol", type=click.Choice(["http", "grpc"]), help="Inference protocol.")
@click.option("--batch", type=click.IntRange(min=1), help="Batch size of each request.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="result.json of the previous release.")
@click.option("--baseline-from", metavar="ENV",
              help="Use the perf result kept for the digest running in ENV (see promote --perf-result).")
@click.option("--window", type=Finite(min=0.05, max=3600), help="Measurement window, seconds.")
@click.option("--stability-pct", type=Finite(min=0.1, max=100), help="Last 3 windows must agree within this %.")
@click.option("--max-trials", type=click.IntRange(min=3), help="Most windows per level.")
@click.option("--warmup-requests", type=click.IntRange(min=0), help="Requests sent before measuring.")
@click.option("--workers", type=click.IntRange(min=1), help="Load generator processes (default: automatic).")
@click.option("--p50-ms", type=Finite(min=0, min_open=True), help="Budget: p50 latency, ms (every level).")
@click.option("--p90-ms", type=Finite(min=0, min_open=True), help="Budget: p90 latency, ms.")
@click.option("--p95-ms", type=Finite(min=0, min_open=True), help="Budget: p95 latency, ms.")
@click.option("--p99-ms", type=Finite(min=0, min_open=True), help="Budget: p99 latency, ms.")
@click.option("--min-throughput", type=Finite(min=0), help="Budget: minimum inferences/s.")
@click.option("--max-error-rate", type=Finite(0, 1), help="Budget: largest failed/sent, 0..1.")
@click.option("--max-increase-pct", type=Finite(min=0), help="Regression: largest p50/p99 rise, %.")
@click.option("--min-increase-ms", type=Finite(min=0), help="Regression: smaller rises (ms) are jitter.")
@click.option("--input-data", type=click.Path(exists=True), help="perf_analyzer-style JSON, or a folder of NAME.npy.")
@global_options
@click.pass_context
def command(ctx: click.Context, spec_path, **flags) -> None:
    """Measure a model like perf_analyzer, then apply budgets and the regression gate.

    Exit 0 when every gate passes, 1 when a gate fails, 2 for bad input, 3 when Triton is unreachable.
    """
    from tritonship.perf.options import model_image_source, perf_config
    from tritonship.perf.runner import run_perf
    from tritonship.present.common import emit

    spec = load_optional_spec(spec_path)
    model_image = model_image_source(spec, {name: flags.pop(name) for name in _MODEL_IMAGE_FLAGS})
    config = perf_config(spec, flags, _baseline_from(spec, flags.get("baseline_from")))
    image = flags.get("image")
    server = _server(spec, config.model, model_image, **{name: flags.pop(name) for name in _SERVER_FLAGS})
    with server as (http_url, grpc), _progress() as progress:
        result = run_perf(config, http_url, grpc, on_window=progress)
    from tritonship.present.html_page import provenance_now
    from tritonship.present.perf import to_outcome

    reference = model_image.reference if model_image else None
    outcome = to_outcome(result, config.baseline, provenance_now(settings().environ, image, reference))
    outcome.data["model_image"] = reference
    ctx.exit(emit(settings(), outcome))


def _baseline_from(spec, env_name: str | None):
    if not env_name:
        return None
    from tritonship.deploy.perf_baseline import cluster_kube, fetch_running
    from tritonship.errors import BadInput

    if spec is None:
        raise BadInput("--baseline-from ENV needs tritonship.yaml (--spec): it names the environment's cluster")
    return fetch_running(cluster_kube(spec, env_name), spec, env_name)


@contextlib.contextmanager
def _server(spec, model: str, model_image, *, repository: str | None, url: str | None, grpc_url: str | None,
            image: str | None, launch: str | None, timeout: float | None):
    """(http_url, grpc_url) of a running server, or of one started for this run (a repository or an image).

    Starting a server goes through the same factory and target rules as `smoke` (triton.factory.open_server,
    smoke.options.choose_target); a --url is measured as it is, without waiting for readiness. A started
    server loads only `model` (perf.server_load: explicit model control), so a broken neighbour does not block it.
    """
    if url and (repository or image):
        raise BadInput("give only one of --repository, --url and --image")
    if url and model_image:
        raise BadInput("--model-image brings the models: give no --url with it")
    from tritonship.urls import refuse_credentials

    refuse_credentials(grpc_url, "--grpc-url")
    if url:
        from tritonship.urls import parse_endpoint

        http = parse_endpoint(url, "--url")
        yield str(http), grpc_url or str(http.shifted(1))
        return
    if not repository and not image and not model_image and spec is None:
        raise BadInput("nothing to measure: give --repository DIR, --url HOST:PORT or --image REF "
                       "(or a tritonship.yaml)")
    from tritonship.smoke.options import choose_target, timeout_s
    from tritonship.triton.factory import open_server

    target = choose_target(repository, None, image, launch, spec,
                           model_image=model_image.reference if model_image else None)
    seconds = timeout if timeout is not None else timeout_s(None, spec)
    from tritonship.perf.server_load import explicit_args, require_loaded
    from tritonship.present.terminal import progress

    with open_server(target.kind, target.value, timeout=seconds, grpc_url=grpc_url, strict_readiness=False,
                     extra_args=explicit_args(model), progress=progress(), model_image=model_image) as server:
        require_loaded(server.index, model, server.log_path)
        yield server.http_url, server.grpc_url


@contextlib.contextmanager
def _progress():
    """A live status line on a terminal; one plain line per window otherwise (Jenkins logs).

    Both go to stderr, so stdout stays clean for --json.
    """
    import sys

    def line(level, window, verdict) -> str:
        state = "stable" if verdict.stable else verdict.reason
        return (f"perf {level.label} window {window.index + 1}: {window.throughput:,.0f} infer/s, "
                f"avg {window.avg_ms:.3f} ms, {window.errors} errors, client CPU {window.client_cpu:.0%} ({state})")

    from tritonship.present.terminal import say, terminal_text

    if not sys.stderr.isatty():
        yield lambda level, window, verdict: say(line(level, window, verdict))
        return
    from rich.text import Text

    from tritonship.present.common import console

    with console(stderr=True).status("perf: warming up") as status:  # the live line, escaped, never markup
        yield lambda level, window, verdict: status.update(Text(terminal_text(line(level, window, verdict))))
