"""The global options (`--json`, `--report-dir`, `--debug`) and the `Settings` they fill.

Kept apart from `cli` so that verb modules can add these options without importing the command
group that imports them (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from tritonship.process_env import ProcessEnv

__all__ = ["Settings", "global_options"]


@dataclass
class Settings:
    """Global options, filled by click callbacks wherever on the command line they appear."""

    json: bool = False
    report_dir: str | None = None
    debug: bool = False
    verb: str | None = None  # set once the verb is resolved, so errors name it in result.json
    environ: ProcessEnv = field(default_factory=ProcessEnv)  # the process environment, read once by cli.main


def _setter(field: str):
    def callback(ctx: click.Context, param: click.Parameter, value):
        if value and field == "report_dir":
            _check_report_dir(value, param)
        if value:  # a flag given after the verb must not reset one given before it
            setattr(ctx.find_object(Settings), field, value)
        return value

    return callback


def _check_report_dir(value: str, param: click.Parameter) -> None:
    """Refuse a --report-dir that cannot be created before any work is done (not after a promotion)."""
    import os
    from pathlib import Path

    path = Path(value).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise click.BadParameter(f"{value}: {existing} is a file, not a folder", param=param)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{value}: {existing} is not writable", param=param)


def global_options(func):
    """Add --json, --report-dir and --debug to a group or verb."""
    opts = [
        click.option("--json", "json_", is_flag=True, expose_value=False, is_eager=True,
                     callback=_setter("json"), help="Print one JSON document instead of text."),
        click.option("--report-dir", type=click.Path(file_okay=False), expose_value=False, is_eager=True,
                     callback=_setter("report_dir"), help="Write result.json, junit.xml (and report.html) here."),
        click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                     callback=_setter("debug"), help="Show tracebacks and verbose logs."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func
