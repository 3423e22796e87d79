"""`tritonship status --env E`: what runs in an environment, and any promotion in progress."""

from __future__ import annotations

import click

from tritonship.commands.options import environ, global_options, load_optional_spec, settings, spec_option
from tritonship.present.common import Outcome, emit


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

    spec = load_optional_spec(spec_path, required=True)
    st = read_status(cluster_world(spec, environ=environ()), spec, env_name)
    data = {"app": spec.project, "env": env_name, "namespace": st.namespace, "running": st.running,
            "in_progress": st.in_progress, "lock_holder": st.lock_holder, "deployments": list(st.deployments),
            "verified": st.running is not None and not st.drift, "drift": list(st.drift)}

    def render(console) -> None:
        run = st.running
        console.print(f"[bold]{spec.project}[/] in {env_name} (namespace {st.namespace})")
        running = f"revision {run['revision']}\n  image: {run['image']}" if run else "nothing yet"
        console.print(f"  running: {running}")
        for problem in st.drift:
            console.print(f"  [red]not running as recorded[/]: {problem}")
        if st.in_progress:
            cur = st.in_progress
            console.print(f"  open promotion: revision {cur['revision']} {cur['phase'] or cur['outcome']} at step "
                          f"{cur['step']!r}"
                          f"{' — ' + cur['reason'] if cur['reason'] else ''}")
        if st.lock_holder:
            console.print(f"  lock held by {st.lock_holder}")
        for d in st.deployments:
            console.print(f"  deployment {d['name']}: {d['ready']}/{d['replicas']} ready, revision {d['revision']}"
                          f" — {d['rollout']}")

    ctx.exit(emit(settings(), Outcome("status", "passed", 0, data, render=render)))
