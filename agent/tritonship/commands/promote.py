"""`tritonship promote --env E (--image REF@sha256:… | --from ENV)`: promote a digest to an environment."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.commands.params import DAY_S, Finite
from tritonship.present.common import emit


@click.command("promote")
@click.option("--env", "env_name", required=True, help="Environment (from tritonship.yaml) to promote to.")
@click.option("--image", default=None, help="The built image by digest: REPOSITORY@sha256:<64 hex> (for "
                                            "image.layout modelcar: the model image).")
@click.option("--triton-image", default=None,
              help="modelcar: the Triton image the pods run, by digest (default: image.base_image, pinned to the "
                   "digest its registry names now and recorded).")
@click.option("--from", "from_env", default=None, help="Promote the digest that succeeded in this environment.")
@click.option("--wait-lock", type=Finite(min=0, max=DAY_S), default=0.0, show_default=True,
              help="Seconds to wait for another promotion of this environment to finish.")
@click.option("--dry-run", is_flag=True, help="Run preflight and print the manifests; change nothing.")
@click.option("--skip-preflight", type=click.Choice(["image", "capacity", "rbac", "origin"]), multiple=True,
              help="Skip a preflight check (repeatable); recorded in the history. 'origin' lets --image skip the "
                   "environment's `from:` gate (the digest must otherwise have succeeded there).")
@click.option("--resume", is_flag=True, help="Continue a paused (or interrupted) promotion.")
@click.option("--abort", is_flag=True, help="Undo a paused (or interrupted) promotion.")
@click.option("--retry", is_flag=True, help="Try again a release whose newest attempt failed or was rolled back "
                                              "(a new revision that records which one it retries).")
@click.option("--perf-result", type=click.Path(dir_okay=False), default=None,
              help="perf result.json of this digest: kept as ENV's baseline once promoted (perf --baseline-from).")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, image: str | None, triton_image: str | None,
            from_env: str | None, wait_lock: float,
            dry_run: bool, skip_preflight: tuple[str, ...], resume: bool, abort: bool, retry: bool,
            perf_result: str | None, spec_path: str | None) -> None:
    """Promote an image digest to an environment with its strategy.

    Exit 0 promoted (or paused, or aborted on request), 1 a gate failed (preflight, lock held,
    rollout failed and rolled back, --from digest not succeeded), 2 bad input, 3 cluster unreachable.
    """
    from tritonship.deploy.engine import PreflightFailed, PromoteRequest, PromoteResult, promote
    from tritonship.deploy.world import cluster_world, started_by
    from tritonship.errors import BadInput
    from tritonship.present.promote import to_outcome

    if resume and abort:
        raise BadInput("--resume and --abort exclude each other")
    if (resume or abort) and (image or triton_image or from_env or dry_run or retry):
        raise BadInput("--resume/--abort continue the recorded promotion: give no --image, --triton-image, --from, "
                       "--dry-run, --retry")
    spec = load_optional_spec(spec_path, required=True)
    env = spec.environment(env_name)
    _check_schema(spec, env_name, image)
    perf_doc = _perf_result(perf_result)
    world = cluster_world(spec, log=_logger(), environ=environ())
    req = PromoteRequest(env=env_name, started_by=started_by(environ()), image=image, from_env=from_env,
                         triton_image=triton_image, wait_lock=wait_lock, dry_run=dry_run,
                         skip_preflight=skip_preflight, resume=resume, abort=abort, retry=retry)
    try:
        result = promote(world, spec, req)
    except PreflightFailed as exc:
        result = PromoteResult("failed", env_name, env.namespace, env.strategy.kind, image or "", reason=exc.message,
                               preflight=exc.report)
    if perf_doc is not None and result.status == "passed" and not dry_run:
        result = _keep_baseline(world, spec, env_name, result, perf_doc)
    from tritonship.present.html_page import provenance_now

    outcome = to_outcome(spec.project, result, manifests=dry_run, provenance=provenance_now(settings().environ))
    if dry_run and not settings().json:
        from tritonship.deploy.manifests import to_yaml

        click.echo(to_yaml(list(result.manifests)))
    ctx.exit(emit(settings(), outcome))


def _check_schema(spec, env_name: str, image: str | None) -> None:
    """The environment's objects, as render makes them, must be valid Kubernetes objects before anything is
    applied (deploy/schema_check.py); the image and revision do not change which fields are valid."""
    from tritonship.deploy.manifests import render_release
    from tritonship.deploy.schema_check import check_objects
    from tritonship.deploy.workload import planned

    placeholder = "registry.invalid/schema-check@sha256:" + "0" * 64
    delivery = spec.image.model_delivery
    work = planned(spec.image.layout, image or placeholder, triton_image=placeholder,
                   delivery=None if delivery == "auto" else delivery)
    check_objects(render_release(spec, env_name, image or placeholder, 1, workload=work), f"environment {env_name!r}")


def _perf_result(path: str | None):
    if path is None:
        return None
    from tritonship.perf.result import load_baseline

    return load_baseline(path)  # bad input before anything is promoted


def _keep_baseline(world, spec, env_name: str, result, doc):
    """After a successful promotion: the perf result becomes the environment's baseline. A failure to
    keep it is reported, never turned into a failed promotion (the release itself went fine)."""
    from dataclasses import replace

    from tritonship.deploy.perf_baseline import save
    from tritonship.errors import TritonshipError

    digest = result.image.split("@", 1)[-1]
    try:
        line = save(world.kube_for(env_name), result.namespace, spec.project, env_name, digest=digest, doc=doc)
    except TritonshipError as exc:
        line = f"perf result not kept as {env_name}'s baseline: {exc.message}"
    world.log(line)
    return replace(result, events=(*result.events, line))


def _logger():
    from tritonship.present.terminal import progress

    return progress("  ", quiet=settings().json)
