"""`tritonship smoke`: start (or reach) a real Triton and prove every model loads and answers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import click

from tritonship.commands.options import (
    global_options,
    load_optional_spec,
    model_image_options,
    settings,
    spec_option,
)
from tritonship.present.common import emit


@click.command("smoke")
@spec_option
@click.option("--repository", type=click.Path(file_okay=False), help="Launch a local tritonserver on this folder.")
@click.option("--url", envvar="TRITONSHIP_SMOKE_URL", help="HTTP HOST:PORT of a running server.")
@click.option("--grpc-url", help="gRPC HOST:PORT (default: --url's port + 1).")
@click.option("--metrics-url", help="Metrics URL (default: http://HOST:<--url's port + 2>/metrics).")
@click.option("--image", help="Image to start (with --launch docker, GPUs requested).")
@click.option("--launch", type=click.Choice(["docker"]), help="How to start --image (default: docker).")
@model_image_options
@click.option("--models", help="Comma-separated models to check (default: all).")
@click.option("--protocol", type=click.Choice(["http", "grpc", "both"]), help="Inference protocols (default: both).")
@click.option("--golden", type=click.Path(file_okay=False), help="Folder of golden cases, one sub-folder per model.")
@click.option("--require-gpu/--no-require-gpu", default=None, help="Fail unless GPU metrics show and KIND_GPU loaded.")
@click.option("--timeout", help="Seconds (or 30s, 2m) the server may take to be ready/reachable (default: 120).")
@click.option("--tritonserver", type=click.Path(dir_okay=False), help="tritonserver binary for --repository.")
@click.option("--server-log", type=click.Path(dir_okay=False), help="Keep the server log here.")
@global_options
@click.pass_context
def command(ctx: click.Context, spec_path: str | None, **flags) -> None:
    """Start Triton and prove every model loads and answers correctly.

    Exit 0 all models passed, 1 a model failed (named, with the server's reason), 2 bad input,
    3 the server could not be started or reached within --timeout.
    """
    from tritonship.present.smoke import to_outcome
    from tritonship.smoke import options as opts
    from tritonship.smoke.run import run_smoke
    from tritonship.triton.client import TritonClient
    from tritonship.triton.launcher import log_tail, sigterm_as_interrupt

    spec = load_optional_spec(spec_path)
    url = flags["url"]
    if ctx.get_parameter_source("url") is click.core.ParameterSource.ENVIRONMENT and (
            flags["repository"] or flags["image"] or flags["model_image"]):
        url = None  # an explicit --repository/--image/--model-image wins over TRITONSHIP_SMOKE_URL
    target = opts.choose_target(flags["repository"], url, flags["image"], flags["launch"], spec,
                                model_image=flags["model_image"])
    model_image = opts.model_image_source(flags, spec)
    options = opts.smoke_options(spec, models=flags["models"], protocol=flags["protocol"], golden=flags["golden"],
                                 require_gpu=flags["require_gpu"])
    timeout = opts.timeout_s(flags["timeout"], spec)
    if flags["metrics_url"] is not None:
        from tritonship.urls import check_http_url

        check_http_url(flags["metrics_url"], "--metrics-url")
    say = _progress()
    with sigterm_as_interrupt(), _server(target, model_image, flags, timeout, say) as server, \
            TritonClient(server.http_url, server.grpc_url) as client:
        say(f"checking models over {'+'.join(options.protocols)}")
        result = run_smoke(client, server, options, progress=say)
    tail = log_tail(server.log_path, 80) if server.log_path else ""
    ctx.exit(emit(settings(), to_outcome(result, tail)))


def _progress():
    from tritonship.present.terminal import progress

    return progress(quiet=settings().json)


def _log_path(flag: str | None) -> Path | None:
    if flag:
        return Path(flag)
    report_dir = settings().report_dir
    return Path(report_dir) / "tritonserver.log" if report_dir else None


@contextlib.contextmanager
def _server(target, model_image, flags: dict, timeout: float, say) -> Iterator:
    """A ServerHandle for the target; a server we started is stopped on exit (an unpacked model image removed)."""
    from tritonship.smoke.run import ServerHandle
    from tritonship.triton.factory import open_server

    started = time.monotonic()
    with open_server(target.kind, target.value, timeout=timeout, tritonserver=flags["tritonserver"],
                     log_path=_log_path(flags["server_log"]), grpc_url=flags["grpc_url"],
                     metrics_url=flags["metrics_url"], strict_readiness=False, progress=say,
                     model_image=model_image) as server:
        ready_s = None if target.kind == "url" else time.monotonic() - started
        if ready_s is not None:
            say(f"server ready in {ready_s:.1f}s (log: {server.log_path})")
        repository = server.repository if target.kind in ("repository", "model-image") else None
        yield ServerHandle(target.value, server.http_url, server.grpc_url, server.metrics_url, server.log_path,
                           repository, ready_s, model_image.reference if model_image else None)
