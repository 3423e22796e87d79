"""`tritonship rollback --env E [--to REVISION]`: return to an earlier revision, fast (no analysis)."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.commands.params import DAY_S, Finite
from tritonship.present.common import emit


@click.command("rollback")
@click.option("--env", "env_name", required=True, help="Environment to roll back.")
@click.option("--to", "to", type=click.IntRange(min=1), default=None,
              help="Revision to return to (default: the succeeded one before the current).")
@click.option("--wait-lock", type=Finite(min=0, max=DAY_S), default=0.0, show_default=True,
              help="Seconds to wait for a running promotion's lock.")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, to: int | None, wait_lock: float, spec_path: str | None) -> None:
    """Re-apply an earlier succeeded revision's exact manifests; recorded as a new revision.

    Exit 0 rolled back, 1 no such succeeded revision or lock held, 2 bad input, 3 cluster unreachable.
    """
    from tritonship.deploy.rollback import RollbackRequest, rollback
    from tritonship.deploy.world import cluster_world, started_by
    from tritonship.present.rollback import to_outcome

    spec = load_optional_spec(spec_path, required=True)
    from tritonship.present.terminal import progress

    log = progress("  ", quiet=settings().json)
    result = rollback(cluster_world(spec, log=log, environ=environ()), spec,
                      RollbackRequest(env=env_name, started_by=started_by(environ()), to=to, wait_lock=wait_lock))
    ctx.exit(emit(settings(), to_outcome(spec.project, result)))
