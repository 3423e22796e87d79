"""Click options and helpers shared by several verbs."""

from __future__ import annotations

from pathlib import Path

import click

from tritonship.global_options import Settings, global_options
from tritonship.process_env import ProcessEnv

__all__ = ["environ", "global_options", "load_optional_spec", "settings", "spec_option"]


def spec_option(func):
    return click.option(
        "--spec",
        "spec_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="tritonship.yaml (default: ./tritonship.yaml when it exists).",
    )(func)


def model_image_options(func):
    """--model-image (a modelcar model image, by digest) and its registry flags, for smoke and perf."""
    options = [
        click.option("--model-image", help="Model image (modelcar layout) REPO@sha256:...: unpacked for a local "
                     "tritonserver, or with --image delivered into that Triton container as the pod does."),
        click.option("--model-image-limit", metavar="SIZE", help="Most bytes a model image may hold (default: 200G)."),
        click.option("--insecure-registry", is_flag=True, default=None,
                     help="Plain HTTP to the model image's registry (loopback only)."),
        click.option("--ca-file", type=click.Path(dir_okay=False), help="PEM CA bundle of the model image's registry."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_optional_spec(spec_path: str | None, *, required: bool = False):
    """The spec named by --spec (must exist), else ./tritonship.yaml if present, else None (or BadInput)."""
    from tritonship.spec import load_spec

    if spec_path:
        return load_spec(spec_path)
    default = Path("tritonship.yaml")
    return load_spec(default, required=required)


def settings() -> Settings:
    return click.get_current_context().find_object(Settings)


def environ() -> ProcessEnv:
    """The process environment `cli.main` read once (empty when a verb runs without `main`)."""
    found = settings()
    return found.environ if found is not None else ProcessEnv()
