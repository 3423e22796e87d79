"""Hostile text in what the CLI prints, in all three output modes (text, --json, --report-dir): a server
whose repository index names a model `m<ESC>[2Jx` and gives a reason with an OSC title sequence and a URL
with userinfo and a token. Progress lines, the rendered result, the JSON document and every report file
must show the ESC escaped (or JSON-escaped), never raw, and never the secret."""

from __future__ import annotations

import json

import pytest
from tests.junk_http import junk_server

SECRET = "s3cr3t"
INDEX = [{"name": "m\x1b[2Jx", "version": "1", "state": "UNAVAILABLE",
          "reason": f"\x1b]0;pwned\x07 fetch http://u:{SECRET}@h.example/w?token={SECRET}2 failed"}]
ROUTES = {"/v2/health/ready": (200, {}, b""), "/v2/health/live": (200, {}, b""),
          "/v2/repository/index": (200, {"Content-Type": "application/json"}, json.dumps(INDEX).encode()),
          "/v2": (200, {"Content-Type": "application/json"}, b'{"name":"triton","version":"2.51.0","extensions":[]}')}


@pytest.fixture(scope="module")
def hostile_triton():
    """Answers as a Triton whose only model has a hostile name and load-failure reason."""
    with junk_server(ROUTES) as url:
        yield url


def _clean(text: str, where: str) -> None:
    assert "\x1b" not in text, f"raw ESC in {where}"
    assert "\x07" not in text, f"raw BEL in {where}"
    assert SECRET not in text, f"the secret in {where}"


@pytest.mark.timeout(60)
def test_text_mode_progress_and_result_are_escaped(run_cli, hostile_triton):
    result = run_cli("smoke", "--url", hostile_triton, "--timeout", "5")
    assert result.exit_code == 1, result.stdout + result.stderr
    _clean(result.stderr, "progress lines")
    _clean(result.stdout, "the rendered result")
    assert "  m\\x1b[2Jx v1: FAILED" in result.stderr.splitlines()  # the progress line itself, escaped
    assert "http://***@h.example/w?token=***" in result.stdout


@pytest.mark.timeout(60)
def test_json_mode_keeps_the_facts_json_escaped(run_cli, hostile_triton):
    result = run_cli("smoke", "--url", hostile_triton, "--timeout", "5", "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    _clean(result.stdout, "the JSON document")
    _clean(result.stderr, "stderr")
    doc = json.loads(result.stdout)
    assert doc["smoke"]["failed_models"] == ["m\x1b[2Jx"]  # the exact name, as data
    assert "***@h.example" in doc["smoke"]["models"][0]["reason"]


@pytest.mark.timeout(60)
def test_every_report_file_is_escaped_and_redacted(run_cli, hostile_triton, tmp_path):
    result = run_cli("smoke", "--url", hostile_triton, "--timeout", "5", "--report-dir", str(tmp_path))
    assert result.exit_code == 1, result.stdout + result.stderr
    _clean(result.stdout + result.stderr, "the output")
    files = sorted(p.name for p in tmp_path.iterdir())
    assert {"junit.xml", "report.html", "result.json"} <= set(files)
    for name in files:
        _clean((tmp_path / name).read_text(), name)
    from xml.etree import ElementTree

    ElementTree.parse(tmp_path / "junit.xml")
    assert "m\\x1b[2Jx" in (tmp_path / "report.html").read_text()
