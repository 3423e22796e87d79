"""`tritonship history --env E`: the release history (ledger) of an environment."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import Outcome, emit


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

    spec = load_optional_spec(spec_path, required=True)
    ledger = read_history(cluster_world(spec, environ=environ()), spec, env_name)
    releases = [r.summary() for r in reversed(ledger.releases)]
    data = {"app": spec.project, "env": env_name, "namespace": spec.environment(env_name).namespace,
            "releases": releases}

    def render(console) -> None:
        from rich.table import Table

        table = Table(title=f"{spec.project} in {env_name}", show_lines=False)
        for col in ("rev", "kind", "outcome", "image", "strategy", "step", "started", "by", "reason"):
            table.add_column(col, overflow="fold")
        for r in releases:
            digest = r["digest"].split(":")[-1][:12]
            outcome = r["outcome"] if r["phase"] in ("", r["outcome"]) else f"{r['outcome']} ({r['phase']})"
            table.add_row(str(r["revision"]), r["kind"], outcome, digest, r["strategy"], r["step"],
                          r["started_at"][:19], r["started_by"], (r["reason"] or "").split("\n", 1)[0] +
                          (f" [skipped preflight: {', '.join(r['skipped_preflight'])}]" if r["skipped_preflight"]
                           else ""))
        console.print(table if releases else f"no releases of {spec.project} in {env_name} yet")

    ctx.exit(emit(settings(), Outcome("history", "passed", 0, data, render=render)))
