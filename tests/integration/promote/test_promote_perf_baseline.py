"""The baseline that finds itself: `promote --perf-result FILE` keeps the perf result of the promoted
digest beside the ledger; `perf --baseline-from ENV` fetches the result of the digest running there."""

from __future__ import annotations

import json

import pytest
from tests.integration.promote.conftest import GOOD, GOOD2, ledger, promote_args
from tests.unit.perf.builders import perf_result

from tritonship.deploy.perf_baseline import cluster_kube, fetch_running
from tritonship.perf.result import to_dict
from tritonship.present.common import envelope
from tritonship.spec import load_spec

pytestmark = pytest.mark.integration


@pytest.fixture
def perf_file(tmp_path):
    path = tmp_path / "perf-result.json"
    path.write_text(json.dumps(envelope("perf", "passed", 0) | to_dict(perf_result())))
    return path


def _fetch(project, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(project.kubeconfig))
    spec = load_spec(project.spec)
    return fetch_running(cluster_kube(spec, "dev"), spec, "dev")


def test_promoted_digest_result_is_the_next_baseline(sim, tship, project, perf_file, monkeypatch):
    assert _fetch(project, monkeypatch).reason == "nothing has been promoted to dev yet"
    done = tship("promote", *promote_args(GOOD), "--perf-result", str(perf_file))
    assert done.exit_code == 0, done.stderr
    assert any("perf result kept as the baseline" in e for e in done.json()["events"])
    found = _fetch(project, monkeypatch)
    assert found.doc is not None and found.reason == ""
    assert found.label == f"dev ({GOOD.split('@')[1]})"
    assert [lv["label"] for lv in found.doc["levels"]] == ["c1", "c4"]
    assert "windows" not in found.doc["levels"][0] and found.doc["levels"][0]["histogram"]


def test_an_unmeasured_promotion_never_serves_the_old_digest_result(sim, tship, project, perf_file, monkeypatch):
    assert tship("promote", *promote_args(GOOD), "--perf-result", str(perf_file)).exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    found = _fetch(project, monkeypatch)
    assert found.doc is None
    assert GOOD.split("@")[1] in found.reason and GOOD2.split("@")[1] in found.reason


def test_a_perf_result_that_is_not_one_is_bad_input_before_promoting(sim, tship, tmp_path):
    wrong = tmp_path / "not-perf.json"
    wrong.write_text(json.dumps({"verb": "smoke"}))
    done = tship("promote", *promote_args(GOOD), "--perf-result", str(wrong))
    assert done.exit_code == 2 and "not a result.json written by `tritonship perf`" in done.stderr
    assert ledger(sim) == []
