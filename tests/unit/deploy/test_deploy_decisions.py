"""Pure decisions of the promotion engine: rollout status, capacity, image origin, rollback target, lease state."""

from __future__ import annotations

import pytest

from tritonship.deploy.capacity import NodeRoom, first_fit_decreasing, quantity
from tritonship.deploy.clock import FakeClock, iso
from tritonship.deploy.ledger import Ledger, Release
from tritonship.deploy.lock import Holder, lease_state
from tritonship.deploy.origin import choose_from, digest_of
from tritonship.deploy.rollback import choose_target
from tritonship.deploy.steps import rollout_status
from tritonship.errors import BadInput, GateFailed

A = "r.example/ml/app@sha256:" + "a" * 64
B = "r.example/ml/app@sha256:" + "b" * 64


def dep(generation=2, observed=2, replicas=3, updated=3, total=3, available=3, reason="NewReplicaSetAvailable"):
    return {"metadata": {"name": "app", "generation": generation}, "spec": {"replicas": replicas},
            "status": {"observedGeneration": observed, "updatedReplicas": updated, "replicas": total,
                       "availableReplicas": available,
                       "conditions": [{"type": "Progressing", "status": "True", "reason": reason}]}}


@pytest.mark.parametrize(("kwargs", "done", "failed", "words"), [
    ({}, True, False, "successfully rolled out"),
    ({"observed": 1}, False, False, "spec update to be observed"),
    ({"updated": 1}, False, False, "1 out of 3 new replicas"),
    ({"total": 4}, False, False, "1 old replicas are pending termination"),
    ({"available": 2}, False, False, "2 of 3 updated replicas are available"),
    ({"available": 0, "reason": "ProgressDeadlineExceeded"}, False, True, "exceeded its progress deadline"),
])
def test_rollout_status_decides_like_kubectl(kwargs, done, failed, words):
    status = rollout_status(dep(**kwargs))
    assert (status.done, status.failed) == (done, failed)
    assert words in status.message


def test_first_fit_decreasing_places_biggest_first_and_names_the_short_resource():
    nodes = [NodeRoom("a", {"cpu": 4.0, "memory": quantity("8Gi"), "nvidia.com/gpu": 1.0}),
             NodeRoom("b", {"cpu": 2.0, "memory": quantity("8Gi")})]
    fit = first_fit_decreasing([{"cpu": 2.0, "memory": quantity("1Gi")}] * 3, nodes)
    assert fit.fits and fit.placed == {"a": 2, "b": 1}
    gpu = first_fit_decreasing([{"cpu": 1.0, "nvidia.com/gpu": 1.0}] * 3, nodes)
    assert not gpu.fits and gpu.unplaced == 2 and gpu.short == {"nvidia.com/gpu": 2.0}
    assert "nvidia.com/gpu short by 2" in gpu.message
    mem = first_fit_decreasing([{"memory": quantity("6Gi")}] * 3, nodes)
    assert "memory short by 2.00Gi" in mem.message


@pytest.mark.parametrize(("text", "value"), [("500m", 0.5), ("2", 2.0), ("1Gi", 2**30), ("1.5G", 1.5e9), (3, 3.0)])
def test_quantities(text, value):
    assert quantity(text) == value


def rel(revision, image=A, outcome="succeeded", **kw):
    return Release(revision=revision, image=image, digest=image.split("@")[1], strategy="rolling",
                   started_by="me@host", started_at="2026-01-01T00:00:00Z", outcome=outcome,
                   manifests=[{"kind": "Deployment"}], **kw)


def test_promote_from_takes_the_last_success_and_refuses_failures():
    dev = Ledger("app", "dev", (rel(1, A), rel(2, B, "rolled-back")))
    assert choose_from(dev, None) == A
    assert choose_from(dev, A) == A
    with pytest.raises(GateFailed, match="did not succeed"):
        choose_from(dev, B)
    with pytest.raises(GateFailed, match="no succeeded release"):
        choose_from(Ledger("app", "dev", (rel(1, B, "failed"),)), None)
    with pytest.raises(BadInput, match="by digest"):
        digest_of("r.example/ml/app:latest")


def test_rollback_target_defaults_to_the_success_before_the_running_one():
    ledger = Ledger("app", "dev", (rel(1, A), rel(2, B, "failed"), rel(3, B), rel(4, A, "rolled-back")))
    assert choose_target(ledger, None).revision == 1
    assert choose_target(ledger, 3).revision == 3
    with pytest.raises(GateFailed, match="did not succeed"):
        choose_target(ledger, 2)
    with pytest.raises(BadInput, match="not in the history"):
        choose_target(ledger, 9)
    with pytest.raises(GateFailed, match="no earlier"):
        choose_target(Ledger("app", "dev", (rel(1),)), None)


def lease(holder, renewed, duration=30, process="other-boot/pid:[1]/1"):
    return {"metadata": {"annotations": {"tritonship.io/holder-process": process}},
            "spec": {"holderIdentity": holder, "renewTime": iso(renewed), "leaseDurationSeconds": duration}}


def test_lease_states_judge_expiry_by_local_observation_as_client_go():
    clock = FakeClock()
    now = clock.now()
    me = Holder("me", "this-host", 4242, boot="b1", pid_ns="pid:[7]")
    other = Holder("you", "elsewhere", 1).identity
    assert lease_state({"spec": {}}, me, now, now) == "free"
    assert lease_state(lease(me.identity, now), me, now, now) == "mine"
    assert lease_state(lease(other, now - 5), me, now, observed_at=now - 5) == "held"
    assert lease_state(lease(other, now - 31), me, now, observed_at=now - 31) == "expired"
    # renewTime long ago by the holder's clock, but only just observed here: not expired (no clock comparison)
    assert lease_state(lease(other, now - 3600), me, now, observed_at=now) == "held"
    dead = lease(other, now, process="b1/pid:[7]/999999999")
    assert lease_state(dead, me, now, now) == "orphaned"
    other_namespace = lease(other, now, process="b1/pid:[8]/999999999")  # another container of the pod
    assert lease_state(other_namespace, me, now, now) == "held"
    # two containers of one pod: same hostname, same pid 1, different processes -> different random ids
    assert Holder("me", "pod", 1, instance="a1").identity != Holder("me", "pod", 1, instance="b2").identity
    # one process keeps one identity (client-go builds it once per run), so its own retry finds "mine"
    assert " #" in me.identity and me.identity == Holder("me", "this-host", 4242).identity


@pytest.mark.parametrize("text", ["abc", "1.5.5", "", "1Zi"])
def test_a_bad_quantity_is_named_in_the_message(text):
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        quantity(text)
