"""Every path that re-applies recorded manifests runs deploy/ledger_guard.py first, not only
`tritonship rollback --to N`: `promote --abort`, `promote --resume`, a new promotion settling (superseding)
an open attempt, a new promotion whose failure would return to a forged release, and a re-run of an
interrupted `tritonship rollback` whose target was forged after it started.

Each test forges the ledger as someone who may write ConfigMaps in the namespace would (records edited,
SHA-256 checksum recomputed), runs the verb, and asserts exit 2 naming the forged object, and that the
cluster is unchanged: no object created, updated or deleted anywhere (the Lease the run takes aside),
the ledger not rewritten."""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.integration.promote.conftest import GOOD, GOOD2, promote_args

pytestmark = pytest.mark.integration

LEDGER = ("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")
GOOD3 = "127.0.0.1:5999/ml/example-models@sha256:" + "d" * 64
KINDS = ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Pod")


def _rewrite(sim, change) -> None:
    """Edit the ledger's records with `change(records)` and recompute the checksum, as a forger would."""
    from tritonship_standins.kube.store import BY_PATH

    cm = sim.get(*LEDGER)
    records = json.loads(cm["data"]["releases.json"])
    change(records)
    text = json.dumps(records, sort_keys=True, separators=(",", ":"))
    cm["data"]["releases.json"] = text
    cm["metadata"]["annotations"]["tritonship.io/ledger-sha256"] = hashlib.sha256(text.encode()).hexdigest()
    sim.store.update(BY_PATH[("v1", "configmaps")], "models-dev", cm["metadata"]["name"], cm)


def _plant(manifests: list) -> None:
    manifests.append({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "pwned", "namespace": "models-staging"}, "data": {"x": "y"}})


def _foreign_image(manifests: list) -> None:
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "evil.example/miner:latest"


def _reopen(record: dict, outcome: str, phase: str, step: str = "rollout", step_index: int = 1) -> None:
    record.update(outcome=outcome, phase=phase, step=step, step_index=step_index, finished_at=None, reason=None)


def _cluster(sim) -> dict:
    """Every object but the Lease: (kind, namespace, name) -> what was written to it (not the status the
    simulator's controllers keep updating)."""
    return {(kind, o["metadata"].get("namespace"), o["metadata"]["name"]): _written(o)
            for kind in KINDS for o in sim.list(kind)}


def _written(obj: dict) -> str:
    meta = {k: v for k, v in obj["metadata"].items() if k not in ("resourceVersion", "managedFields")}
    return json.dumps({**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}, sort_keys=True)


def _refused(sim, result, *words: str) -> None:
    assert result.exit_code == 2, result.stdout + result.stderr
    message = result.json()["error"]["message"]
    assert "refusing to apply anything" in message, message
    for word in words:
        assert word in message, message
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def two_releases(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("promote", *promote_args(GOOD2)).exit_code == 0


def test_abort_refuses_to_return_to_a_forged_release(sim, tship, two_releases):
    def forge(records):
        _plant(records[0]["manifests"])
        _reopen(records[1], "paused", "paused")
    _rewrite(sim, forge)
    before = _cluster(sim)
    _refused(sim, tship("promote", "--env", "dev", "--abort"), "revision 1", "ConfigMap models-staging/pwned")
    assert _cluster(sim) == before


def test_resume_refuses_to_converge_a_forged_record(sim, tship, two_releases):
    def forge(records):
        _foreign_image(records[1]["manifests"])
        _reopen(records[1], "in-progress", "progressing")
    _rewrite(sim, forge)
    before = _cluster(sim)
    _refused(sim, tship("promote", "--env", "dev", "--resume"), "revision 2", "evil.example/miner:latest")
    assert _cluster(sim) == before


def test_settling_an_open_attempt_refuses_a_forged_previous_release(sim, tship, two_releases):
    def forge(records):
        _plant(records[0]["manifests"])
        _reopen(records[1], "in-progress", "progressing")
    _rewrite(sim, forge)
    before = _cluster(sim)
    _refused(sim, tship("promote", *promote_args(GOOD3)), "revision 1", "ConfigMap models-staging/pwned")
    assert _cluster(sim) == before


def test_a_new_promotion_refuses_a_forged_release_it_would_roll_back_to(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    _rewrite(sim, lambda records: _plant(records[0]["manifests"]))
    before = _cluster(sim)
    _refused(sim, tship("promote", *promote_args(GOOD2)), "revision 1", "ConfigMap models-staging/pwned")
    assert _cluster(sim) == before


def test_an_interrupted_rollback_refuses_a_target_forged_after_it_started(sim, tship, two_releases):
    """The open rollback record carries an honest copy of revision 1's manifests; what `restore` applies
    is revision 1 itself, forged afterwards: it must be checked too."""
    def forge(records):
        honest = json.loads(json.dumps(records[0]))
        _plant(records[0]["manifests"])
        records.append({**honest, "revision": 3, "kind": "rollback", "rollback_to": 1, "started_by": "ci",
                        "outcome": "in-progress", "phase": "restoring", "step": "restore", "step_index": 0,
                        "finished_at": None, "reason": None})
    _rewrite(sim, forge)
    before = _cluster(sim)
    _refused(sim, tship("rollback", "--env", "dev"), "revision 1", "ConfigMap models-staging/pwned")
    assert _cluster(sim) == before
    assert sim.get("ConfigMap", "pwned", "models-staging") is None


def test_honest_abort_and_resume_still_work(sim, tship, two_releases):
    _rewrite(sim, lambda records: _reopen(records[1], "paused", "paused"))
    assert tship("promote", "--env", "dev", "--abort").exit_code == 0
    image = sim.get("Deployment", "demo-app", "models-dev")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == GOOD
