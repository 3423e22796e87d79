"""Shared test helpers. Area-specific fixtures (servers) live in each area's conftest.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_REPO = EXAMPLES / "model_repository"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    from tritonship.cli import main

    main(list(ctx.args))


@pytest.fixture
def run_cli():
    """Run `tritonship ARGS` in-process, as a user would; returns exit code, stdout and stderr."""

    def run(*args: str, env: dict | None = None) -> CliResult:
        result = CliRunner().invoke(_entry, list(args), env=env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
