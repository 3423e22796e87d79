"""What `tritonship history` shows: the ledger's releases, newest first, as JSON data and a table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tritonship.present.common import Outcome

if TYPE_CHECKING:
    from rich.console import Console


def to_outcome(app: str, env_name: str, namespace: str, releases: list[dict[str, Any]]) -> Outcome:
    data = {"app": app, "env": env_name, "namespace": namespace, "releases": releases}
    return Outcome("history", "passed", 0, data, render=lambda console: render(console, app, env_name, releases))


def render(console: Console, app: str, env_name: str, releases: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=f"{app} in {env_name}", show_lines=False)
    for col in ("rev", "kind", "outcome", "image", "strategy", "step", "started", "by", "reason"):
        table.add_column(col, overflow="fold")
    for r in releases:
        digest = runs(r)
        outcome = r["outcome"] if r["phase"] in ("", r["outcome"]) else f"{r['outcome']} ({r['phase']})"
        table.add_row(str(r["revision"]), r["kind"], outcome, digest, r["strategy"], r["step"],
                      r["started_at"][:19], r["started_by"], (r["reason"] or "").split("\n", 1)[0] +
                      (f" [skipped preflight: {', '.join(r['skipped_preflight'])}]" if r["skipped_preflight"]
                       else ""))
    console.print(table if releases else f"no releases of {app} in {env_name} yet")


def runs(release: dict[str, Any]) -> str:
    """The image column: the digest, or for modelcar the pair (model image + Triton image, and the delivery)."""
    def short(image: str | None) -> str:
        return (image or "?").rsplit("@", 1)[-1].split(":")[-1][:12]

    if release.get("layout") != "modelcar":
        return short(release["digest"])
    return f"models {short(release.get('model_image'))} + triton {short(release.get('triton_image'))} " \
           f"({release.get('delivery') or 'init-container'})"
