"""`tritonship render --env E [--image REF]`: print the Kubernetes manifests (for GitOps users)."""

from __future__ import annotations

import click

from tritonship.commands.options import global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import emit

PLACEHOLDER = "REGISTRY/IMAGE@sha256:" + "0" * 64


@click.command("render")
@click.option("--env", "env_name", required=True, help="Environment to render.")
@click.option("--image", default=None, help="Image by digest (default: a placeholder to replace).")
@click.option("--revision", type=click.IntRange(min=1), default=1, show_default=True,
              help="Value of the tritonship.io/revision label.")
@click.option("--rules", is_flag=True, help="Also print the PrometheusRule (alerts, recording rules), labelled "
                                             "for the Prometheus' ruleSelector (monitoring.rule_labels, else labels).")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, image: str | None, revision: int, rules: bool,
            spec_path: str | None) -> None:
    """Print the Deployment, Service, PodDisruptionBudget, HPA and ServiceMonitor as YAML. No cluster needed.

    Exit 0, 2 bad input.
    """
    from tritonship.deploy.manifests import render_release
    from tritonship.deploy.origin import digest_of
    from tritonship.present.render import to_outcome

    spec = load_optional_spec(spec_path, required=True)
    spec.environment(env_name)
    if image:
        digest_of(image)
    from tritonship.deploy.schema_check import check_objects

    objects = render_release(spec, env_name, image or PLACEHOLDER, revision)
    check_objects(objects, f"environment {env_name!r}")
    if rules:
        from tritonship.deploy.monitoring_assets import render_rule

        objects.append(render_rule(spec.environment(env_name)))
    ctx.exit(emit(settings(), to_outcome(spec.project, env_name, image or PLACEHOLDER, objects)))
