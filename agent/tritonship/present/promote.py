"""What `tritonship promote` (and `rollback`, the same result) shows: result.json data, terminal text, JUnit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tritonship.deploy.analysis.summary import analyses_of, render_analyses
from tritonship.errors import EXIT_GATE, EXIT_OK
from tritonship.present.common import Outcome
from tritonship.present.junit import JUnitCase

if TYPE_CHECKING:
    from rich.console import Console

    from tritonship.deploy.engine import PromoteResult
    from tritonship.deploy.preflight import PreflightReport
    from tritonship.present.html_page import Provenance

EXIT = {"passed": EXIT_OK, "paused": EXIT_OK, "aborted": EXIT_OK, "dry-run": EXIT_OK, "failed": EXIT_GATE}


def to_outcome(app: str, result: PromoteResult, *, manifests: bool = False, verb: str = "promote",
               provenance: Provenance | None = None) -> Outcome:
    """A promotion's (or, with verb='rollback', a rollback's) Outcome; `manifests` adds the rendered objects."""
    from tritonship.present.promote_html import render_html

    return Outcome(verb, result.status, EXIT[result.status], result_data(app, result, manifests=manifests),
                   render=render_result(verb, result), junit=junit_cases(verb, result),
                   html=render_html(verb, result, provenance))


def preflight_data(report: PreflightReport | None) -> list[dict[str, str]]:
    if report is None:
        return []
    return [{"name": c.name, "status": c.status, "detail": c.detail} for c in report.checks]


def result_data(app: str, result: PromoteResult, *, manifests: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "app": app, "env": result.env, "namespace": result.namespace, "strategy": result.strategy,
        "image": result.image, "digest": result.image.split("@", 1)[-1] if "@" in result.image else None,
        "revision": result.revision, "step": result.step, "reason": result.reason, "resumed": result.resumed,
        "superseded_revision": result.superseded, "lock_takeover": result.lock_takeover,
        "preflight": preflight_data(result.preflight), "events": list(result.events), "release": result.record,
        "analysis": analyses_of(result.record),
    }
    if manifests:
        data["manifests"] = list(result.manifests)
    return data


def render_result(verb: str, result: PromoteResult) -> Any:
    def render(console: Console) -> None:
        for check in (result.preflight.checks if result.preflight else ()):
            mark = {"passed": "[green]ok[/]", "failed": "[red]FAILED[/]", "skipped": "[yellow]skipped[/]",
                    "warning": "[yellow]warning[/]"}
            console.print(f"preflight {check.name:<9} {mark[check.status]}  {check.detail}")
        colour = {"passed": "green", "paused": "yellow", "dry-run": "cyan"}.get(result.status, "red")
        what = f"revision {result.revision}, " if result.revision else ""
        console.print(f"[bold {colour}]{verb} {result.env}: {result.status}[/] ({what}{result.strategy})")
        if result.image:
            console.print(f"  image: {result.image}")
        record = result.record or {}
        if record.get("layout") == "modelcar":  # the pair: Triton image unchanged, models delivered to it
            console.print(f"  triton image: {record.get('triton_image')}")
            console.print(f"  model image: {record.get('model_image')} ({record.get('delivery')})")
        render_analyses(console, analyses_of(result.record))
        if result.reason:
            console.print(f"  reason: {result.reason}")
        if result.status == "paused":
            console.print(f"  continue with: tritonship promote --env {result.env} --resume   (or --abort)")

    return render


def junit_cases(verb: str, result: PromoteResult) -> list[JUnitCase]:
    cls = f"tritonship.{verb}.{result.env}"
    cases = [JUnitCase(f"preflight {c.name}", cls, failure=c.detail if c.status == "failed" else None,
                       skipped=c.detail if c.status == "skipped" else None)
             for c in (result.preflight.checks if result.preflight else ())]
    failed = result.status == "failed"
    cases.append(JUnitCase(f"{verb} {result.env}", cls, failure=result.reason or "failed" if failed else None,
                           details="\n".join(result.events)))
    return cases
