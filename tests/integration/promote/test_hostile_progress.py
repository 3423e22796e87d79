"""Promote's step lines carry text from the cluster: the last log lines of a crashed container, which a
model's own code writes. In all three output modes (text, --json, --report-dir) that text is escaped and
redacted: no raw ESC reaches the terminal, no token reaches any output or report."""

from __future__ import annotations

import json

import pytest
from tests.integration.promote.conftest import BAD, GOOD, promote_args

pytestmark = pytest.mark.integration

SECRET = "s3cr3t"
CRASH_LOG = ("I1201 09:00:00.000000 1 server.cc:674] Started tritonserver (version 2.51.0)",
             f"E1201 model.py: \x1b]0;owned\x07\x1b[2J fetching http://ci:{SECRET}@weights.example/m?sig={SECRET}2")


@pytest.fixture
def crashing(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    sim.behaviour.crash_log = CRASH_LOG


def _clean(text: str, where: str) -> None:
    assert "\x1b" not in text, f"raw ESC in {where}"
    assert SECRET not in text, f"the secret in {where}"


def test_text_mode_step_lines_are_escaped(run_cli, project, crashing):
    result = run_cli("promote", "--spec", str(project.spec), *promote_args(BAD), env=project.env())
    assert result.exit_code == 1, result.stdout + result.stderr
    _clean(result.stderr, "the step lines")
    _clean(result.stdout, "the rendered result")
    assert "\\x1b[2J fetching http://***@weights.example/m?sig=***" in result.stderr  # the log line, escaped


def test_json_and_reports_are_escaped_and_redacted(run_cli, project, crashing, tmp_path):
    result = run_cli("promote", "--spec", str(project.spec), *promote_args(BAD), "--json", "--report-dir",
                     str(tmp_path), env=project.env())
    assert result.exit_code == 1, result.stdout + result.stderr
    _clean(result.stdout + result.stderr, "the output")
    doc = json.loads(result.stdout)
    assert any("http://***@weights.example" in event for event in doc["events"])
    for path in tmp_path.iterdir():
        _clean(path.read_text(), path.name)
