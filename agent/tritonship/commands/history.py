"""`tritonship history --env E`: the release history (ledger) of an environment."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import emit


@click.command("history")
@click.option("--env", "env_name", required=True, help="Environment whose history to show.")
@spec_option
@global_options
@click.pass_context
def command(ctx: click.Context, *, env_name: str, spec_path: str | None) -> None:
    """Show the last 10 revisions: image digest, strategy, who, when, outcome (and phase while open), step
    reached, reason.

    Exit 0, 2 bad input (or a corrupt/hand-edited ledger), 3 cluster unreachable.
    """
    from tritonship.deploy.overview import read_history
    from tritonship.deploy.world import cluster_world
    from tritonship.present.history import to_outcome

    spec = load_optional_spec(spec_path, required=True)
    ledger = read_history(cluster_world(spec, environ=environ()), spec, env_name)
    releases = [r.summary() for r in reversed(ledger.releases)]
    outcome = to_outcome(spec.project, env_name, spec.environment(env_name).namespace, releases)
    ctx.exit(emit(settings(), outcome))
