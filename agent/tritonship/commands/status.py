"""`tritonship status --env E`: what runs in an environment, and any promotion in progress."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import emit


@click.command("status")
@click.option("--env", "env_name", required=True, help="Environment to describe.")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, spec_path: str | None) -> None:
    """Show the running revision, its Deployments' readiness, an open promotion and the lock holder.

    Exit 0, 2 bad input, 3 cluster unreachable.
    """
    from tritonship.deploy.overview import read_status
    from tritonship.deploy.world import cluster_world
    from tritonship.present.status import to_outcome

    spec = load_optional_spec(spec_path, required=True)
    st = read_status(cluster_world(spec, environ=environ()), spec, env_name)
    ctx.exit(emit(settings(), to_outcome(spec.project, env_name, st)))
