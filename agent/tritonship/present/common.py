"""Turning a verb's result into what the user and Jenkins see.

A verb's core returns typed data; its `present/<verb>.py` module turns that into an `Outcome` and the
command module calls `emit`. `emit` prints either rich text (terminal/Jenkins log) or one JSON document, writes the
report directory (result.json, junit.xml, report.html, extra files) and returns the exit code.
Groovy reads result.json, so its envelope is a contract: tests pin it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tritonship import __version__
from tritonship.errors import BadInput, TritonshipError
from tritonship.present.junit import JUnitCase, render_junit
from tritonship.present.terminal import say, terminal_text
from tritonship.urls import redact_tree

if TYPE_CHECKING:
    from rich.console import Console

    from tritonship.global_options import Settings


@dataclass(frozen=True)
class Outcome:
    """Everything a verb produced. `data` holds the verb-specific facts of result.json."""

    verb: str
    status: str  # passed | failed | paused | cached | dry-run | error
    exit_code: int
    data: dict[str, Any]
    render: Callable[[Console], None] | None = None
    junit: list[JUnitCase] | None = None
    html: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # extra report files: name -> text

    def document(self) -> dict[str, Any]:
        return envelope(self.verb, self.status, self.exit_code) | self.data


def envelope(verb: str, status: str, exit_code: int) -> dict[str, Any]:
    return {"tritonship": __version__, "verb": verb, "status": status, "exit_code": exit_code}


def console(stderr: bool = False) -> Console:
    """The Console every verb renders with: present/terminal.py escapes and redacts what it prints."""
    from tritonship.present.terminal import safe_console

    # Jenkins logs are not terminals: rich then prints plain text without colours or widths tricks.
    return safe_console(stderr, width=None if os.isatty(1) else 120)


def emit(settings: Settings, outcome: Outcome) -> int:
    doc = redact_tree(outcome.document())  # no URL credentials in any report
    if settings.report_dir:
        try:
            write_reports(Path(settings.report_dir), doc, outcome)
        except OSError as exc:
            raise BadInput(f"--report-dir {settings.report_dir}: cannot write the reports: {exc.strerror or exc}",
                           hint=f"the {outcome.verb} itself ended with status {outcome.status!r}") from exc
    if settings.json:
        click.echo(json.dumps(doc, indent=2, sort_keys=False, default=str))
    elif outcome.render is not None:
        outcome.render(console())
    return outcome.exit_code


def write_reports(directory: Path, doc: dict[str, Any], outcome: Outcome | None = None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "result.json", json.dumps(doc, indent=2, default=str) + "\n")
    if outcome is None:
        return
    # junit.xml, report.html and the extra files are made from the verb's raw result: escaped and redacted here
    # as the terminal is (a control character is not even well-formed XML; a token is a token everywhere)
    if outcome.junit is not None:
        _write(directory / "junit.xml", terminal_text(render_junit(f"tritonship.{outcome.verb}", outcome.junit)))
    if outcome.html is not None:
        from tritonship.present.html_page import STYLESHEET, stylesheet

        _write(directory / STYLESHEET, stylesheet())  # the page links it: Jenkins' CSP allows only 'self' styles
        _write(directory / "report.html", terminal_text(outcome.html))
    for name, text in outcome.files.items():
        _write(directory / name, terminal_text(text))


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def emit_error(settings: Settings, exc: TritonshipError, verb: str | None = None) -> int:
    """Report a TritonshipError: one clear line on stderr, and the same facts as JSON/result.json."""
    doc = redact_tree(envelope(verb or "unknown", "error", exc.exit_code) | {"error": exc.to_dict()})
    if settings.report_dir:
        with contextlib.suppress(OSError):  # the error itself matters more than its report
            write_reports(Path(settings.report_dir), doc)
    if settings.json:
        click.echo(json.dumps(doc, indent=2))
    say(exc.message, "tritonship: error: ")
    if exc.hint:
        say(exc.hint, "  hint: ")
    return exc.exit_code

