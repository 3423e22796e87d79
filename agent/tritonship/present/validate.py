"""How a LintResult is shown: the JSON document, a rich table per model, and JUnit cases."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tritonship.present.common import Outcome
from tritonship.present.junit import JUnitCase
from tritonship.present.validate_html import render_html
from tritonship.repository.findings import Finding
from tritonship.repository.lint import LintResult

if TYPE_CHECKING:
    from rich.console import Console

REPOSITORY_CASE = "(repository)"


def to_outcome(result: LintResult, *, strict: bool, spec, display: Path, status: str, exit_code: int) -> Outcome:
    return Outcome(
        verb="validate", status=status, exit_code=exit_code, data=document(result, strict, spec),
        render=lambda console: render(console, result, display, strict),
        junit=junit_cases(result, strict), html=render_html(result, strict, group(result)),
    )


def document(result: LintResult, strict: bool, spec) -> dict[str, Any]:
    digest = result.digest
    return {
        "repository": str(result.repository),
        "spec": str(spec.path) if spec is not None and spec.path else None,
        "strict": strict,
        "digest": None if digest is None else {
            "sha256": digest.sha256, "short": digest.short, "files": digest.files, "bytes": digest.bytes,
        },
        "models": [m.to_dict() for m in result.models],
        "findings": [f.to_dict() for f in result.findings],
        "counts": result.counts,
    }


def junit_cases(result: LintResult, strict: bool) -> list[JUnitCase]:
    classname = f"validate.{result.repository.name}"
    grouped = group(result)
    cases = []
    for name, findings in grouped.items():
        failing = [f for f in findings if f.severity == "error" or (strict and f.severity == "warning")]
        details = "\n".join(line(f) for f in findings)
        cases.append(JUnitCase(
            name=name, classname=classname,
            failure=f"{len(failing)} finding(s): {failing[0].message}" if failing else None,
            details=details, system_out="" if failing else details,
        ))
    return cases


def group(result: LintResult) -> dict[str, list[Finding]]:
    """Findings per model (every model appears, in order), repository-wide ones first."""
    out: dict[str, list[Finding]] = {}
    repo_wide = [f for f in result.findings if f.model is None or f.model not in {m.name for m in result.models}]
    if repo_wide:
        out[REPOSITORY_CASE] = repo_wide
    for model in result.models:
        out[model.name] = [f for f in result.findings if f.model == model.name]
    return out


def line(finding: Finding) -> str:
    return f"{finding.severity.upper()} {finding.rule} {finding.where}: {finding.message} (hint: {finding.hint})"


def render(console: Console, result: LintResult, display: Path, strict: bool) -> None:
    from rich.markup import escape

    shown = _display_path(display)
    digest = result.digest
    console.print(f"[bold]Repository[/] {escape(shown)}  ({len(result.models)} models)")
    if digest is not None:
        console.print(f"[bold]Digest[/]     sha256:{digest.sha256}  ({digest.files} files, {_size(digest.bytes)})")
    for name, findings in group(result).items():
        if not findings:
            console.print(f"  [green]✓[/] {escape(name)}")
            continue
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        mark = "[red]✗[/]" if errors or warnings else "[blue]•[/]"
        notes = len(findings) - errors - warnings
        console.print(f"  {mark} [bold]{escape(name)}[/]: {errors} error(s), {warnings} warning(s)"
                      + (f", {notes} note(s)" if notes else ""))
        for finding in findings:
            colour = {"error": "red", "warning": "yellow"}.get(finding.severity, "blue")
            where = finding.where if finding.path.startswith(("/", ".")) else f"{shown}/{finding.where}"
            console.print(f"     [{colour}]{finding.severity:<7}[/] {finding.rule}  {escape(where)}")
            console.print(f"             {escape(finding.message)}")
            console.print(f"             [dim]hint: {escape(finding.hint)}[/]")
    counts = result.counts
    verdict = "passed" if result.passed(strict) else "failed"
    colour = "green" if verdict == "passed" else "red"
    console.print(f"[{colour}]validate {verdict}[/]: {counts['error']} error(s), {counts['warning']} warning(s)"
                  + (f", {counts['note']} note(s)" if counts["note"] else "")
                  + (" (--strict: warnings fail)" if strict else ""))


def _display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:
        return str(path)
    return rel if not rel.startswith("../..") else str(path.resolve())


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
