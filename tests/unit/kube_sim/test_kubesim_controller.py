"""The simulated Deployment controller: rolling-update limits, status, conditions, progress deadline."""

from __future__ import annotations

import time

import pytest
from tests.unit.kube_sim.conftest import deployment

from tritonship_standins.kube.rollout import plan, resolve


def pod(hash_: str, ready: bool) -> dict:
    return {"metadata": {"name": f"p-{hash_}-{id(object())}", "labels": {"pod-template-hash": hash_}},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def spec(replicas=4, surge: int | str = 1, unavailable: int | str = 0):
    return {"replicas": replicas, "strategy": {"rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}


def test_percentages_round_like_the_real_controller():
    assert resolve("25%", 10, up=True) == 3 and resolve("25%", 10, up=False) == 2
    assert resolve(None, 4, up=True) == 1 and resolve(2, 4, up=False) == 2


def test_surge_one_unavailable_zero_adds_one_then_removes_one_ready_old():
    old = [pod("old", True) for _ in range(4)]
    assert plan(spec(), [], old) == (1, [])
    new = [pod("new", True)]
    create, remove = plan(spec(), new, old)
    assert create == 0 and len(remove) == 1
    create, remove = plan(spec(), [pod("new", False)], old)  # new pod not ready: keep all old
    assert (create, remove) == (0, [])


def test_unavailable_allows_removing_old_before_new_are_ready_and_unhealthy_old_go_first():
    old = [pod("old", True) for _ in range(4)]
    create, remove = plan(spec(surge=0, unavailable=1), [], old)
    assert create == 0 and len(remove) == 1  # one may be unavailable: make room first
    old = [pod("old", True) for _ in range(3)] + [pod("old", False)]
    create, remove = plan(spec(surge=0, unavailable=1), [], old)
    assert create == 0
    assert [p["status"]["conditions"][0]["status"] for p in remove] == ["False"]  # the unhealthy one goes first


def test_scaling_down_removes_extra_new_pods_unready_first():
    new = [pod("new", True), pod("new", False), pod("new", True)]
    create, remove = plan(spec(replicas=2), new, [])
    assert create == 0 and len(remove) == 1 and remove[0] is new[1]


def _watch(sim, name, until, timeout=20.0):
    """Poll the simulator's store; return the largest pod count seen and the final deployment."""
    most, end = 0, time.monotonic() + timeout
    while time.monotonic() < end:
        most = max(most, len(sim.list("Pod", "ns")))
        dep = sim.get("Deployment", name, "ns")
        if until(dep):
            return most, dep
        time.sleep(0.01)
    pytest.fail(f"deployment {name} never reached the state")


def test_rollout_respects_max_surge_and_reports_status_like_the_controller(sim, kube):
    kube.apply(deployment(replicas=3, surge=1))
    _most, dep = _watch(sim, "web", lambda d: (d.get("status") or {}).get("availableReplicas") == 3)
    kube.apply(deployment(replicas=3, surge=1, image="img@sha256:" + "9" * 64))
    most, dep = _watch(sim, "web", lambda d: d["status"]["observedGeneration"] == 2
                       and d["status"].get("updatedReplicas") == 3 and d["status"].get("availableReplicas") == 3
                       and d["status"].get("replicas") == 3)
    assert most <= 4  # replicas + maxSurge, never more
    assert dep["status"]["observedGeneration"] == dep["metadata"]["generation"] == 2
    conditions = {c["type"]: c for c in dep["status"]["conditions"]}
    assert conditions["Available"]["reason"] == "MinimumReplicasAvailable"
    assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
    assert "has successfully progressed" in conditions["Progressing"]["message"]
    pods = sim.list("Pod", "ns", "app=web")
    assert len(pods) == 3 and all(p["spec"]["containers"][0]["image"].endswith("9" * 64) for p in pods)


def test_crashlooping_pods_exceed_the_progress_deadline_and_old_pods_stay(sim, kube):
    kube.apply(deployment(replicas=2, deadline=1))
    _watch(sim, "web", lambda d: (d.get("status") or {}).get("availableReplicas") == 2)
    sim.behaviour.crashloop_image = "bad"
    kube.apply(deployment(replicas=2, deadline=1, image="bad@sha256:" + "0" * 64))
    _most, dep = _watch(sim, "web", lambda d: any(c["reason"] == "ProgressDeadlineExceeded"
                                                  for c in d["status"].get("conditions", [])))
    assert dep["status"]["availableReplicas"] == 2 and dep["status"]["updatedReplicas"] == 1
    bad = [p for p in sim.list("Pod", "ns") if "bad@" in p["spec"]["containers"][0]["image"]]
    assert bad[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"


def test_pods_that_do_not_fit_stay_pending(sim, kube):
    big = deployment(replicas=2)
    big["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "6"}}
    kube.apply(big)
    _watch(sim, "web", lambda d: (d.get("status") or {}).get("availableReplicas") == 1
           and len(sim.list("Pod", "ns")) == 2)
    pending = [p for p in sim.list("Pod", "ns") if p["status"]["phase"] == "Pending"]
    assert len(pending) == 1 and pending[0]["status"]["conditions"][0]["reason"] == "Unschedulable"
