"""What keeps promotion safe: the lock, resume after a kill, promotion by digest from an earlier
environment, capacity and permission preflight, and refusing a corrupt or hand-edited ledger."""

from __future__ import annotations

import json
import signal

import pytest
from tests.integration.promote.conftest import (
    BAD,
    GOOD,
    GOOD2,
    deployment_image,
    ledger,
    promote_args,
    spawn,
    wait_for,
    write_spec,
)

pytestmark = pytest.mark.integration


def _step(sim, step: str):
    rel = ledger(sim)
    return rel and rel[-1]["step"] == step and rel[-1]["outcome"] == "in-progress"


def test_agent_killed_mid_rollout_resumes_on_rerun(sim, project, tship):
    sim.behaviour.ready_delay = 2.0  # a rollout long enough to be killed in
    proc = spawn(project, "promote", *promote_args(GOOD))
    wait_for(lambda: _step(sim, "rollout"), what="the ledger to show step 'rollout'")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    [rel] = ledger(sim)
    assert rel["outcome"] == "in-progress" and rel["step"] == "rollout"
    assert sim.get("Lease", "tritonship-demo-app-dev", "models-dev") is not None  # left behind by the dead agent

    sim.behaviour.ready_delay = 0.2
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["resumed"] is True and doc["revision"] == 1
    assert "orphaned lease" in doc["lock_takeover"]
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded"]


def test_a_different_image_mid_promotion_supersedes_the_old_attempt(sim, project, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    sim.behaviour.ready_delay = 2.0
    proc = spawn(project, "promote", *promote_args(GOOD2))
    wait_for(lambda: _step(sim, "rollout"), what="revision 2 rolling out")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    sim.behaviour.ready_delay = 0.2
    result = tship("promote", *promote_args(GOOD.replace("a" * 64, "d" * 64)))
    assert result.exit_code == 0, result.stderr
    assert result.json()["superseded_revision"] == 2
    assert [(r["revision"], r["outcome"]) for r in ledger(sim)] == [(1, "succeeded"), (2, "superseded"),
                                                                    (3, "succeeded")]


def test_two_promotions_at_once_one_is_refused_naming_the_holder(sim, project, tship):
    sim.behaviour.ready_delay = 1.5
    first = spawn(project, "promote", *promote_args(GOOD))
    wait_for(lambda: sim.get("Lease", "tritonship-demo-app-dev", "models-dev"), what="the first promotion's lease")
    second = tship("promote", *promote_args(GOOD2))
    assert second.exit_code == 1
    message = second.json()["error"]["message"]
    assert "another promotion" in message and f"pid {first.pid}" in message
    waited = tship("promote", *promote_args(GOOD2), "--wait-lock", "60")
    _out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert waited.exit_code == 0, waited.stderr
    assert [r["outcome"] for r in ledger(sim)] == ["succeeded", "succeeded"]
    assert deployment_image(sim) == GOOD2


def test_promote_from_refuses_a_digest_that_failed_there(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    assert tship("promote", *promote_args(BAD)).exit_code == 1
    refused = tship("promote", "--env", "staging", "--from", "dev", "--image", BAD, "--skip-preflight", "image")
    assert refused.exit_code == 1
    assert "did not succeed" in refused.json()["error"]["message"]
    never = tship("promote", "--env", "staging", "--from", "dev", "--image", GOOD2, "--skip-preflight", "image")
    assert never.exit_code == 1 and "never promoted" in never.json()["error"]["message"]
    ok = tship("promote", "--env", "staging", "--skip-preflight", "image")  # `from: dev` in the spec
    assert ok.exit_code == 0, ok.stderr
    assert ok.json()["image"] == GOOD
    assert deployment_image(sim, "staging") == GOOD
    assert ledger(sim, "staging")[0]["from_env"] == "dev"


def test_capacity_shortfall_names_the_resource(sim, project, tship):
    write_spec(project.spec, replicas=3, cpu="6", gpus=1)
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 1
    doc = result.json()
    capacity = next(c for c in doc["preflight"] if c["name"] == "capacity")
    assert capacity["status"] == "failed"
    assert "nvidia.com/gpu short by 3" in capacity["detail"]
    assert "nvidia.com/gpu" in doc["reason"]
    assert ledger(sim) == [] and sim.get("Deployment", "demo-app", "models-dev") is None
    skipped = tship("promote", *promote_args(GOOD), "--skip-preflight", "capacity", "--dry-run")
    assert skipped.json()["status"] == "dry-run"


def test_cpu_shortfall_counts_what_other_pods_request(sim, project, tship):
    from tritonship_standins.kube.store import BY_PATH

    write_spec(project.spec, replicas=2, cpu="5")
    assert tship("promote", *promote_args(GOOD), "--dry-run").json()["status"] == "dry-run"  # 8 cpu per node
    other = {"metadata": {"name": "someone-else", "labels": {"app": "other"}},
             "spec": {"nodeName": "sim-node-0", "containers": [{"name": "c", "image": "x",
                                                                 "resources": {"requests": {"cpu": "7"}}}]}}
    sim.store.create(BY_PATH[("v1", "pods")], "default", other)
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 1
    assert "1 of 2 new pod(s) do not fit: cpu short by 1000m" in result.json()["reason"]
    write_spec(project.spec, replicas=2, cpu="4500m")  # 9 cpu free in all, but 1 + 8 per node
    fragmented = tship("promote", *promote_args(GOOD))
    assert "no single node has room" in fragmented.json()["reason"]


def test_missing_permission_fails_preflight(sim, tship):
    sim.access.deny.append({"verb": "create", "resource": "leases"})
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 1
    assert "create leases.coordination.k8s.io" in result.json()["reason"]


def test_missing_namespace_fails_preflight(sim, project, tship):
    project.spec.write_text(project.spec.read_text().replace("namespace: models-dev", "namespace: nowhere"))
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 1
    assert "namespace 'nowhere' does not exist" in result.json()["reason"]


@pytest.mark.parametrize("edit", ["garbage", "field", "checksum"])
def test_corrupt_or_hand_edited_ledger_is_refused_and_not_overwritten(sim, tship, edit):
    from tritonship_standins.kube.store import BY_PATH

    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    cm = sim.get("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")
    records = json.loads(cm["data"]["releases.json"])
    if edit == "garbage":
        cm["data"]["releases.json"] = "{not json"
    elif edit == "field":
        records[0]["revision"] = "one"
        cm["data"]["releases.json"] = json.dumps(records)
        cm["metadata"]["annotations"].pop("tritonship.io/ledger-sha256")
    else:
        records[0]["image"] = GOOD2  # looks valid, but someone changed history
        cm["data"]["releases.json"] = json.dumps(records, sort_keys=True, separators=(",", ":"))
    edited = sim.store.update(BY_PATH[("v1", "configmaps")], "models-dev", cm["metadata"]["name"], cm)
    result = tship("promote", *promote_args(GOOD2))
    assert result.exit_code == 2
    error = result.json()["error"]["message"]
    assert "ConfigMap models-dev/tritonship-demo-app-dev-ledger" in error
    assert "Traceback" not in result.stderr
    after = sim.get("ConfigMap", "tritonship-demo-app-dev-ledger", "models-dev")
    assert after["metadata"]["resourceVersion"] == edited["metadata"]["resourceVersion"]
    assert deployment_image(sim) == GOOD
    assert tship("history", "--env", "dev").exit_code == 2
    assert tship("rollback", "--env", "dev").exit_code == 2


def test_spec_from_gates_an_explicit_image_unless_origin_is_skipped(sim, tship):
    assert tship("promote", *promote_args(GOOD)).exit_code == 0
    # staging declares `from: dev`: a digest that never ran in dev cannot go straight to staging
    refused = tship("promote", "--env", "staging", "--image", GOOD2, "--skip-preflight", "image")
    assert refused.exit_code == 1
    assert "never promoted" in refused.json()["error"]["message"]
    assert ledger(sim, "staging") == []
    # the digest that succeeded in dev passes the same gate when named explicitly
    ok = tship("promote", "--env", "staging", "--image", GOOD, "--skip-preflight", "image")
    assert ok.exit_code == 0, ok.stderr
    assert ledger(sim, "staging")[0]["from_env"] == "dev"
    # a deliberate override is allowed, and the history says so
    forced = tship("promote", "--env", "staging", "--image", GOOD2, "--skip-preflight", "image",
                   "--skip-preflight", "origin")
    assert forced.exit_code == 0, forced.stderr
    newest = max(ledger(sim, "staging"), key=lambda r: int(r["revision"]))
    assert newest["from_env"] is None and "origin" in newest["skipped_preflight"]
    assert deployment_image(sim, "staging") == GOOD2
