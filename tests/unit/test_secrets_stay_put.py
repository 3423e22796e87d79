"""Secrets stay where they belong: URLs redacted in every message and report, children get no secrets."""

from __future__ import annotations

import json

import pytest

from tritonship.present.common import terminal_text
from tritonship.process_env import child_environment
from tritonship.urls import redact, redact_tree

TOKEN = "s3cr3t-T0KEN-value"


@pytest.mark.parametrize(("text", "hidden"), [
    (f"http://admin:{TOKEN}@jenkins.example/", "http://***@jenkins.example/"),
    (f"cannot reach https://{TOKEN}@git.example/x.git: refused", "https://***@git.example/x.git"),
    (f"https://hooks.example/x?token={TOKEN}&room=1", "https://hooks.example/x?token=***&room=1"),
    (f"https://s3.example/b?X-Amz-Signature={TOKEN}", "X-Amz-Signature=***"),
])
def test_urls_lose_their_credentials(text, hidden):
    out = redact(text)
    assert TOKEN not in out and hidden in out


def test_a_document_is_redacted_everywhere_and_plain_urls_stay():
    doc = {"error": {"message": f"http://u:{TOKEN}@h/", "hint": ["x", f"?sig={TOKEN}"]}, "n": 3,
           "url": "http://127.0.0.1:8000/v2"}
    out = redact_tree(doc)
    assert TOKEN not in json.dumps(out) and out["n"] == 3 and out["url"] == "http://127.0.0.1:8000/v2"


def test_terminal_text_escapes_control_characters_but_keeps_lines():
    assert terminal_text("model \x1b[2Jname\x07\nnext\tcol") == "model \\x1b[2Jname\\x07\nnext\tcol"


def test_children_get_no_tool_settings_and_no_credentials():
    base = {"PATH": "/usr/bin", "HOME": "/root", "TRITONSHIP_REGISTRY_PASSWORD": TOKEN,
            "TRITONSHIP_JENKINS_TOKEN": TOKEN, "TRITONSHIP_WEBHOOK_URL": "https://h/x", "GITHUB_TOKEN": TOKEN,
            "AWS_SECRET_ACCESS_KEY": TOKEN, "LD_LIBRARY_PATH": "/opt/lib"}
    env = child_environment(base)
    assert env == {"PATH": "/usr/bin", "HOME": "/root", "LD_LIBRARY_PATH": "/opt/lib"}
    assert child_environment(base, keep=("GITHUB_TOKEN",))["GITHUB_TOKEN"] == TOKEN


def test_the_buildah_child_environment_holds_no_secret(monkeypatch):
    from tritonship.image.builders import buildah

    monkeypatch.setenv("TRITONSHIP_REGISTRY_PASSWORD", TOKEN)
    assert TOKEN not in json.dumps(buildah._env())


@pytest.mark.parametrize("mode", [[], ["--json"], ["--report-dir", "{tmp}/r"]], ids=["text", "json", "report"])
def test_a_token_in_the_jenkins_url_is_never_echoed(run_cli, tmp_path, mode):
    from tests.conftest import ROOT

    argv = [m.format(tmp=tmp_path) for m in mode]
    result = run_cli("seed", "--jenkins", f"http://admin:{TOKEN}@127.0.0.1:1/", "--config",
                     str(ROOT / "pipelines" / "models.yaml"), *argv)
    assert result.exit_code == 3, result.stderr
    reports = "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    assert TOKEN not in result.stdout + result.stderr + reports
    assert "***@127.0.0.1" in result.stdout + result.stderr + reports
