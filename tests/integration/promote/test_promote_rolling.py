"""Rolling promotions on the Kubernetes API simulator, driven through the real CLI and kubernetes client."""

from __future__ import annotations

import pytest
from tests.integration.promote.conftest import BAD, GOOD, GOOD2, deployment_image, ledger, promote_args

from tritonship_standins.kube.store import BY_PATH

pytestmark = pytest.mark.integration


def test_rolling_success_is_recorded_and_visible(sim, tship):
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["status"] == "passed" and doc["revision"] == 1 and doc["strategy"] == "rolling"
    assert {c["name"]: c["status"] for c in doc["preflight"]} == {
        "namespace": "passed", "api": "passed", "rbac": "passed", "image": "skipped", "capacity": "passed"}
    assert deployment_image(sim) == GOOD
    dep = sim.get("Deployment", "demo-app", "models-dev")
    assert dep["status"]["availableReplicas"] == 2
    assert dep["metadata"]["labels"]["tritonship.io/revision"] == "1"
    [rel] = ledger(sim)
    assert rel["outcome"] == "succeeded" and rel["step"] == "done" and rel["skipped_preflight"] == ["image"]
    assert rel["digest"] == GOOD.split("@")[1] and rel["started_by"]
    assert sim.get("Lease", "tritonship-demo-app-dev", "models-dev")["spec"]["holderIdentity"] == ""  # released

    history = tship("history", "--env", "dev")
    assert history.exit_code == 0
    assert [r["outcome"] for r in history.json()["releases"]] == ["succeeded"]
    status = tship("status", "--env", "dev").json()
    assert status["running"]["revision"] == 1
    assert status["deployments"][0]["ready"] == 2 and status["in_progress"] is None
    assert status["verified"] is True and status["drift"] == []
    sim.store.update(BY_PATH[("apps/v1", "deployments")], "models-dev", "demo-app", _with_image(sim, GOOD2))
    drifted = tship("status", "--env", "dev").json()
    assert drifted["verified"] is False and f"runs {GOOD2}, not {GOOD}" in drifted["drift"][0]


def _with_image(sim, image: str) -> dict:
    """The Deployment as someone's `kubectl set image` would leave it."""
    dep = sim.get("Deployment", "demo-app", "models-dev")
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return dep


def test_crashlooping_image_rolls_back_and_history_says_why(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    result = tship("promote", *promote_args(BAD))
    assert result.exit_code == 1, result.stderr
    doc = result.json()
    assert doc["status"] == "failed"
    assert "CrashLoopBackOff" in doc["reason"] and "rolled back to revision 1" in doc["reason"]
    assert deployment_image(sim) == GOOD
    dep = sim.get("Deployment", "demo-app", "models-dev")
    assert dep["status"].get("availableReplicas") == 2
    releases = tship("history", "--env", "dev").json()["releases"]
    assert releases[0]["revision"] == 2 and releases[0]["outcome"] == "rolled-back"
    assert "CrashLoopBackOff" in releases[0]["reason"] and "pod demo-app-" in releases[0]["reason"]
    assert releases[0]["step"] == "rollout" and releases[0]["phase"] == "rolled-back"
    assert releases[0]["rollback_to"] == 1


def test_first_release_failing_scales_to_zero(sim, tship):
    result = tship("promote", *promote_args(BAD))
    assert result.exit_code == 1
    assert sim.get("Deployment", "demo-app", "models-dev")["spec"]["replicas"] == 0
    assert ledger(sim)[0]["outcome"] == "rolled-back"


def test_api_5xx_bursts_and_dropped_connections_are_survived(sim, tship):
    sim.faults.set(fail_next=3, fail_status=503)
    first = tship("promote", *promote_args(GOOD))
    assert first.exit_code == 0, first.stderr
    sim.faults.set(drop_next=2, fail_next=2, fail_status=429)
    second = tship("promote", *promote_args(GOOD2))
    assert second.exit_code == 0, second.stderr
    assert sim.faults.failed == 5 and sim.faults.dropped == 2
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded", "succeeded"]


def test_cluster_that_stays_down_is_exit_3_and_ledger_stays_consistent(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    before = sim.get("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")
    sim.faults.set(fail_next=10_000, fail_status=503)
    result = tship("promote", *promote_args(GOOD2))
    sim.faults.set(fail_next=0)
    assert result.exit_code == 3
    assert "unavailable after" in result.json()["error"]["message"]
    after = sim.get("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert tship("history", "--env", "dev").exit_code == 0


def test_rollback_to_a_revision_is_fast_and_recorded(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0
    assert deployment_image(sim) == GOOD2
    result = tship("rollback", "--env", "dev")
    assert result.exit_code == 0, result.stderr
    assert deployment_image(sim) == GOOD
    rel = ledger(sim)[-1]
    assert rel["kind"] == "rollback" and rel["rollback_to"] == 1 and rel["revision"] == 3
    assert rel["outcome"] == "succeeded"
    again = tship("rollback", "--env", "dev", "--to", "2")
    assert again.exit_code == 0 and deployment_image(sim) == GOOD2
    missing = tship("rollback", "--env", "dev", "--to", "42")
    assert missing.exit_code == 2 and "revision 42" in missing.json()["error"]["message"]


def test_dry_run_changes_nothing_and_prints_manifests(sim, tship):
    result = tship("promote", *promote_args(GOOD), "--dry-run")
    assert result.exit_code == 0
    doc = result.json()
    assert doc["status"] == "dry-run"
    assert [m["kind"] for m in doc["manifests"]] == ["Deployment", "Service", "PodDisruptionBudget"]
    assert sim.get("Deployment", "demo-app", "models-dev") is None
    assert ledger(sim) == []


def test_tags_are_refused_promotion_is_by_digest(tship):
    result = tship("promote", "--env", "dev", "--image", "127.0.0.1:5999/ml/example-models:1.0")
    assert result.exit_code == 2
    assert "by digest" in result.json()["error"]["message"]


def test_resume_without_an_open_promotion_is_bad_input(tship):
    result = tship("promote", "--env", "dev", "--resume")
    assert result.exit_code == 2
    assert "no promotion" in result.json()["error"]["message"]


def test_api_refusal_during_a_step_rolls_back_and_is_recorded(sim, project, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    sim.access.enforce = True
    sim.access.deny.append({"verb": "patch", "resource": "servicemonitors"})
    project.spec.write_text(project.spec.read_text().replace("    replicas: 2\n", "    replicas: 2\n"
                                                             "    service_monitor: true\n", 1))
    result = tship("promote", *promote_args(GOOD2), "--skip-preflight", "rbac")
    assert result.exit_code == 1
    doc = result.json()
    assert "the API refused a request" in doc["reason"] and "403 Forbidden" in doc["reason"]
    assert 'cannot patch resource "servicemonitors"' in doc["reason"]
    rel = ledger(sim)[-1]
    assert rel["outcome"] == "rolled-back" and rel["step"] == "apply"
    assert rel["skipped_preflight"] == ["image", "rbac"]
    assert deployment_image(sim) == GOOD


def test_a_rollback_that_fails_too_is_recorded_as_failed(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    sim.access.enforce = True
    sim.access.deny.append({"verb": "patch", "resource": "poddisruptionbudgets"})
    result = tship("promote", *promote_args(GOOD2), "--skip-preflight", "rbac")
    assert result.exit_code == 1
    rel = ledger(sim)[-1]
    assert rel["outcome"] == "failed" and "rollback failed" in rel["reason"]


def test_result_json_shape_is_pinned_for_groovy(run_cli, project, tmp_path):
    import json

    reports = tmp_path / "reports"
    result = run_cli("promote", "--spec", str(project.spec), *promote_args(GOOD), "--report-dir", str(reports),
                     env=project.env())
    assert result.exit_code == 0
    doc = json.loads((reports / "result.json").read_text())
    assert list(doc) == ["tritonship", "verb", "status", "exit_code", "app", "env", "namespace", "strategy", "image",
                         "digest", "revision", "step", "reason", "resumed", "superseded_revision", "lock_takeover",
                         "preflight", "events", "release", "analysis"]
    assert doc["verb"] == "promote" and doc["status"] == "passed" and doc["digest"] == "sha256:" + "a" * 64
    assert doc["analysis"] == []  # rolling runs no analysis
    assert set(doc["release"]) >= {"revision", "image", "digest", "spec_hash", "strategy", "started_by", "started_at",
                                   "finished_at", "outcome", "step", "reason", "skipped_preflight", "kind",
                                   "phase", "rollback_to", "retry_of"}
    junit = (reports / "junit.xml").read_text()
    assert 'name="preflight capacity"' in junit and 'name="promote dev"' in junit and "<failure" not in junit


def test_writes_whose_answer_was_lost_are_not_done_twice(sim, tship):
    sim.faults.set(match=r"^POST .*/configmaps$", drop_after_next=1)  # the ledger's first write
    first = tship("promote", *promote_args(GOOD))
    assert first.exit_code == 0, first.stderr
    sim.faults.set(match=r"^PUT .*/leases/", drop_after_next=1)  # taking the (released) lock over
    second = tship("promote", *promote_args(GOOD2))
    assert second.exit_code == 0, second.stderr
    assert sim.faults.dropped == 2
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded", "succeeded"]
