"""What `tritonship status` shows: the running revision, drift, an open promotion, the lock, Deployments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.present.common import Outcome

if TYPE_CHECKING:
    from rich.console import Console

    from tritonship.deploy.overview import EnvStatus


def to_outcome(app: str, env_name: str, st: EnvStatus) -> Outcome:
    data = {"app": app, "env": env_name, "namespace": st.namespace, "running": st.running,
            "in_progress": st.in_progress, "lock_holder": st.lock_holder, "deployments": list(st.deployments),
            "verified": st.running is not None and not st.drift, "drift": list(st.drift)}
    return Outcome("status", "passed", 0, data, render=lambda console: render(console, app, env_name, st))


def render(console: Console, app: str, env_name: str, st: EnvStatus) -> None:
    run = st.running
    console.print(f"[bold]{app}[/] in {env_name} (namespace {st.namespace})")
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
