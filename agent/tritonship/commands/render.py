"""`tritonship render --env E [--image REF]`: print the Kubernetes manifests (for GitOps users)."""

from __future__ import annotations

import click

from tritonship.commands.options import global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import emit

PLACEHOLDER = "REGISTRY/IMAGE@sha256:" + "0" * 64


@click.command("render")
@click.option("--env", "env_name", required=True, help="Environment to render.")
@click.option("--image", default=None, help="Image by digest (default: a placeholder to replace); for the "
                                            "modelcar layout, the model image.")
@click.option("--triton-image", default=None, help="modelcar: the Triton image the pod runs (default: the spec's "
                                                   "image.base_image; promote pins it to its digest).")
@click.option("--delivery", type=click.Choice(["init-container", "image-volume"]), default=None,
              help="modelcar: render this model delivery (default: the spec's image.model_delivery; for auto, "
                   "the init-container form).")
@click.option("--revision", type=click.IntRange(min=1), default=1, show_default=True,
              help="Value of the tritonship.io/revision label.")
@click.option("--rules", is_flag=True, help="Also print the PrometheusRule (alerts, recording rules), labelled "
                                             "for the Prometheus' ruleSelector (monitoring.rule_labels, else labels).")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, image: str | None, triton_image: str | None, delivery: str | None,
            revision: int, rules: bool, spec_path: str | None) -> None:
    """Print the Deployment, Service, PodDisruptionBudget, HPA and ServiceMonitor as YAML. No cluster needed.

    Exit 0, 2 bad input.
    """
    from tritonship.deploy.manifests import render_release
    from tritonship.deploy.origin import digest_of
    from tritonship.deploy.schema_check import check_objects
    from tritonship.deploy.workload import planned, render_note
    from tritonship.errors import BadInput
    from tritonship.present.render import to_outcome

    spec = load_optional_spec(spec_path, required=True)
    spec.environment(env_name)
    if image:
        digest_of(image)
    layout, configured = spec.image.layout, spec.image.model_delivery
    if layout != "modelcar" and (triton_image or delivery):
        raise BadInput("--triton-image and --delivery are for image.layout: modelcar")
    if triton_image and "@" in triton_image:
        digest_of(triton_image)
    chosen = delivery or (None if configured == "auto" else configured)
    work = planned(layout, image or PLACEHOLDER, triton_image=triton_image or spec.image.base_image,
                   delivery=chosen)
    objects = render_release(spec, env_name, image or PLACEHOLDER, revision, workload=work)
    check_objects(objects, f"environment {env_name!r}")
    if rules:
        from tritonship.deploy.monitoring_assets import render_rule

        objects.append(render_rule(spec.environment(env_name)))
    note = render_note(layout, configured, chosen)
    ctx.exit(emit(settings(), to_outcome(spec.project, env_name, image or PLACEHOLDER, objects, work=work,
                                         note=note)))
