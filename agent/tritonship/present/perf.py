"""How a perf result looks: the rich tables, the JUnit cases, the report files."""

from __future__ import annotations

from typing import Any

from tritonship.present.common import Outcome
from tritonship.present.html_page import Provenance
from tritonship.present.junit import JUnitCase


def to_outcome(result, baseline: dict[str, Any] | None = None, provenance: Provenance | None = None) -> Outcome:
    """`baseline` (the previous result.json) is overlaid on the report's charts; `provenance` names what ran."""
    return Outcome(verb="perf", status="passed" if result.passed else "failed",
                   exit_code=0 if result.passed else 1, **outcome_parts(result, baseline, provenance))


def outcome_parts(result, baseline: dict[str, Any] | None = None,
                  provenance: Provenance | None = None) -> dict[str, Any]:
    from tritonship.perf.csv_report import render_csv
    from tritonship.perf.result import to_dict
    from tritonship.present.perf_html import render_html

    return {
        "data": to_dict(result),
        "render": lambda console: render(console, result),
        "junit": junit_cases(result),
        "html": render_html(result, baseline, provenance),
        "files": {"perf.csv": render_csv(result.levels)},
    }


def junit_cases(result) -> list[JUnitCase]:
    classname = f"perf.{result.model}"
    if not result.checks:
        return [JUnitCase(name=f"{lr.level.label} measured", classname=classname) for lr in result.levels]
    return [
        JUnitCase(name=f"{c.level} {c.check}", classname=classname,
                  failure=None if c.passed else f"{c.check}: measured {c.measured}, limit {c.limit}",
                  details=c.detail, system_out=f"measured {c.measured}, limit {c.limit}. {c.detail}".strip())
        for c in result.checks
    ]


def render(console, result) -> None:
    from rich.table import Table

    table = Table(title=f"perf {result.model} ({result.protocol}, batch {result.batch}; latencies in ms)")
    for col in ("level", "infer/s", "p50", "p90", "p95", "p99", "max", "server", "client us/req", "errors", "counted",
                "stable"):
        table.add_column(col, justify="right")
    for lr in result.levels:
        lat, srv = lr.latency, lr.server
        table.add_row(lr.level.label, f"{lr.throughput:,.1f}", f"{lat.p50:.3f}", f"{lat.p90:.3f}", f"{lat.p95:.3f}",
                      f"{lat.p99:.3f}", f"{lat.max:.3f}", f"{srv.total_ms:.3f}" if srv else "-",
                      f"{lr.client_cpu_us_per_request:.0f}", str(lr.errors),
                      "yes" if lr.counts.matches else "NO", "yes" if lr.stable else "no")
    console.print(table)
    if result.checks:
        gates = Table(title="gates")
        for col in ("level", "check", "limit", "measured", "verdict"):
            gates.add_column(col)
        for c in result.checks:
            gates.add_row(c.level, c.check, c.limit, c.measured, "pass" if c.passed else "[bold red]FAIL[/]")
        console.print(gates)
    for lr in result.levels:
        if not lr.counts.matches:
            console.print(f"{lr.level.label}: {lr.counts.reason}")
        if lr.first_error:
            console.print(f"{lr.level.label}: first error: {lr.first_error}")
    for warning in result.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    verdict = "[bold green]PASSED[/]" if result.passed else "[bold red]FAILED[/]"
    console.print(f"perf {result.model}: {verdict}")
