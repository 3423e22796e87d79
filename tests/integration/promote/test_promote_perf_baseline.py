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


def _perf_file(tmp_path, name: str, p99_ms: float):
    """A perf result whose levels name their p99, so a test can tell two digests' results apart."""
    doc = envelope("perf", "passed", 0) | to_dict(perf_result())
    for level in doc["levels"]:
        level["latency_ms"]["p99"] = p99_ms
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_a_rollback_moves_the_baseline_back_to_the_digest_now_running(sim, tship, project, tmp_path, monkeypatch):
    assert tship("promote", *promote_args(GOOD), "--perf-result", str(_perf_file(tmp_path, "a.json", 11.0))
                 ).exit_code == 0
    assert tship("promote", *promote_args(GOOD2), "--perf-result", str(_perf_file(tmp_path, "b.json", 22.0))
                 ).exit_code == 0
    newer = _fetch(project, monkeypatch)
    assert newer.label == f"dev ({GOOD2.split('@')[1]})" and newer.doc["levels"][0]["latency_ms"]["p99"] == 22.0
    assert tship("rollback", "--env", "dev").exit_code == 0
    back = _fetch(project, monkeypatch)
    assert back.reason == "" and back.label == f"dev ({GOOD.split('@')[1]})"
    assert [lv["latency_ms"]["p99"] for lv in back.doc["levels"]] == [11.0, 11.0]


def test_a_rollback_to_a_digest_with_no_kept_result_says_so(sim, tship, project, perf_file, monkeypatch):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0  # measured before results were kept
    assert tship("promote", *promote_args(GOOD2), "--perf-result", str(perf_file)).exit_code == 0
    assert tship("rollback", "--env", "dev").exit_code == 0
    found = _fetch(project, monkeypatch)
    assert found.doc is None
    assert found.reason == (f"dev was rolled back to {GOOD.split('@')[1]}, and no perf result was kept for it; "
                            f"results are kept for {GOOD2.split('@')[1]}")


def test_results_are_kept_per_digest_newest_first(sim, tship, tmp_path):
    from tritonship.deploy.perf_baseline import configmap_name, data_key

    for image, name in ((GOOD, "a.json"), (GOOD2, "b.json"), (GOOD, "a.json")):
        assert tship("promote", *promote_args(image), "--perf-result", str(_perf_file(tmp_path, name, 11.0))
                     ).exit_code == 0
    data = sim.get("ConfigMap", configmap_name("demo-app", "dev"), "models-dev")["data"]
    a, b = GOOD.split("@")[1], GOOD2.split("@")[1]
    assert data["digests"].split() == [a, b]  # promoted again: first once, never twice
    assert set(data) == {"digests", data_key(a), data_key(b)}
