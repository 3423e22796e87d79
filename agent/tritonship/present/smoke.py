"""A SmokeResult as result.json data, JUnit cases (one per model x protocol) and a terminal table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from tritonship.errors import EXIT_GATE, EXIT_OK
from tritonship.present import smoke_html
from tritonship.present.common import Outcome
from tritonship.present.junit import JUnitCase
from tritonship.smoke.result import Check, ModelReport, SmokeResult

if TYPE_CHECKING:
    from rich.console import Console

PROTOCOL_LABEL = {"http": "HTTP", "grpc": "gRPC"}


def to_outcome(result: SmokeResult, log_tail: str = "") -> Outcome:
    return Outcome(
        verb="smoke", status="passed" if result.passed else "failed",
        exit_code=EXIT_OK if result.passed else EXIT_GATE, data={"smoke": to_data(result)},
        render=renderer(result), junit=junit_cases(result, log_tail), html=smoke_html.render_html(result, log_tail),
    )


def to_data(result: SmokeResult) -> dict[str, Any]:
    return {
        "target": result.target,
        "model_image": result.model_image,
        "server_version": result.server_version,
        "protocols": list(result.protocols),
        "passed": result.passed,
        "failed_models": result.failed_models,
        "problems": list(result.problems),
        "models": [_model_data(m) for m in result.models],
        "gpu": asdict(result.gpu),
        "server_log": result.log_path,
        "timing": {"ready_s": _round(result.ready_s), "checks_s": _round(result.checks_s)},
    }


def _model_data(model: ModelReport) -> dict[str, Any]:
    return {
        "name": model.name, "version": model.version, "state": model.state, "reason": model.reason,
        "kind": model.kind, "passed": model.passed, "problems": model.problems,
        "gpu_memory_bytes": model.gpu_memory_bytes, "log_lines": list(model.log_lines),
        "checks": [
            {"name": c.name, "protocol": c.protocol, "passed": c.passed, "skipped": c.skipped,
             "problems": list(c.problems), "time_s": _round(c.time_s)}
            for c in model.checks
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def junit_cases(result: SmokeResult, log_tail: str = "") -> list[JUnitCase]:
    cases = [JUnitCase(name="repository", classname="smoke", failure="; ".join(result.problems))
             for _ in (1,) if result.problems]
    for model in result.models:
        cases += [_case(model, protocol, log_tail) for protocol in result.protocols]
    if result.gpu.required:
        failure = "; ".join(result.gpu.problems) if result.gpu.problems else None
        cases.append(JUnitCase(name="require-gpu", classname="smoke", failure=failure))
    return cases


def _case(model: ModelReport, protocol: str, log_tail: str) -> JUnitCase:
    checks = [c for c in model.checks if c.protocol in (protocol, "-")]
    name = f"{model.name}:{model.version or '-'} [{protocol}]"
    classname = f"smoke.{model.name}"
    elapsed = sum(c.time_s for c in checks)
    if model.state != "READY":
        failure = f"{model.name} failed to load ({model.state}): {model.reason or 'no reason given'}"
    else:
        problems = [f"{c.name}: {p}" for c in checks for p in c.problems]
        failure = problems[0] if problems else None
        if failure is None and checks and all(c.skipped for c in checks):
            return JUnitCase(name, classname, skipped=checks[0].skipped, time_s=elapsed)
    if failure is None:
        return JUnitCase(name, classname, time_s=elapsed)
    details = "\n".join(model.problems)
    log = "\n".join(model.log_lines) or log_tail
    return JUnitCase(name, classname, failure=failure, details=details, system_out=log, time_s=elapsed)


def _cell(checks: list[Check]) -> str:
    if not checks:
        return "-"
    if any(c.problems for c in checks):
        return "[red]FAIL[/red]"
    if all(c.skipped for c in checks):
        return "skipped"
    ran = sum(1 for c in checks if not c.skipped)
    return f"[green]ok[/green] ({ran})"


def renderer(result: SmokeResult) -> Callable[[Console], None]:
    def render(console: Console) -> None:
        from rich.table import Table

        table = Table(title=f"smoke: {result.subject}", title_justify="left")
        for column in ("model", "version", "kind", "state", *[PROTOCOL_LABEL[p] for p in result.protocols], "GPU mem"):
            table.add_column(column)
        for model in result.models:
            cells = [_cell([c for c in model.checks if c.protocol in (p, "-")]) if model.state == "READY"
                     else "[red]FAIL[/red]" for p in result.protocols]
            memory = f"{model.gpu_memory_bytes / 2**20:.0f} MiB" if model.gpu_memory_bytes is not None else "-"
            state = model.state if model.state == "READY" else f"[red]{model.state}[/red]"
            table.add_row(model.name, model.version or "-", model.kind, state, *cells, memory)
        console.print(table)
        _render_problems(console, result)
        console.print(_summary(result))

    return render


def _render_problems(console: Console, result: SmokeResult) -> None:
    from rich.markup import escape

    for problem in (*result.problems, *result.gpu.problems):
        console.print(f"[red]x[/red] {escape(problem)}")
    for model in result.models:
        if model.passed:
            continue
        console.print(f"[red]x {escape(model.name)}[/red]")
        for problem in model.problems[:10]:
            console.print(f"    {escape(problem)}")
        for line in model.log_lines[-5:]:
            console.print(f"    [dim]log: {escape(line)}[/dim]")


def _summary(result: SmokeResult) -> str:
    checks = sum(1 for m in result.models for c in m.checks if not c.skipped)
    ready = f", server ready in {result.ready_s:.1f}s" if result.ready_s is not None else ""
    protocols = "+".join(result.protocols)
    if result.passed:
        return (f"[green]smoke passed[/green]: {len(result.models)} model(s), {checks} checks over {protocols} "
                f"in {result.checks_s:.2f}s{ready}")
    failed = ", ".join(result.failed_models) or "see above"
    log = f"; server log: {result.log_path}" if result.log_path else ""
    return f"[red]smoke failed[/red]: {failed}{log}"
