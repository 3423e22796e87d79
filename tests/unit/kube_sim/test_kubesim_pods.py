"""The simulator's pods that cannot start, its pods/log API and API discovery, through the real client."""

from __future__ import annotations

import pytest
from tests.unit.kube_sim.conftest import deployment

from tritonship.deploy.kube import ApiError, NotFound

pytestmark = pytest.mark.integration


def pods_of(sim, predicate, what: str) -> list[dict]:
    for _ in range(200):
        sim.controllers.reconcile()
        pods = [p for p in sim.list("Pod", "ns") if predicate(p)]
        if pods:
            return pods
        sim.controllers._stop.wait(0.02)
    raise AssertionError(f"no pod {what}")


def waiting(pod: dict) -> str | None:
    statuses = (pod.get("status") or {}).get("containerStatuses") or [{}]
    return ((statuses[0].get("state") or {}).get("waiting") or {}).get("reason")


def test_crash_looping_pod_has_a_previous_run_whose_log_can_be_read(sim, kube):
    sim.behaviour.crashloop_image = "broken"
    kube.apply(deployment(image="broken@sha256:" + "1" * 64, replicas=1))
    [pod] = pods_of(sim, lambda p: waiting(p) == "CrashLoopBackOff", "crash-looping")
    status = pod["status"]["containerStatuses"][0]
    assert status["restartCount"] >= 1 and status["lastState"]["terminated"]["exitCode"] == 1
    name = pod["metadata"]["name"]
    text = kube.pod_log(name, "ns", container="c", tail=2, previous=True)
    assert text.splitlines()[-1] == "error: creating server: Internal - failed to load all models"
    assert len(text.splitlines()) == 2
    with pytest.raises(ApiError, match="is not valid for pod"):
        kube.pod_log(name, "ns", container="nope")


def test_a_healthy_pod_has_no_previous_run(sim, kube):
    kube.apply(deployment(replicas=1))
    [pod] = pods_of(sim, lambda p: (p.get("status") or {}).get("phase") == "Running", "running")
    assert "Started HTTPService" in kube.pod_log(pod["metadata"]["name"], "ns")
    with pytest.raises(ApiError, match="previous terminated container"):
        kube.pod_log(pod["metadata"]["name"], "ns", previous=True)


def test_unpullable_image_waits_pending_and_has_no_log(sim, kube):
    sim.behaviour.pull_fail_image = "typo"
    kube.apply(deployment(image="typo@sha256:" + "1" * 64, replicas=1))
    [pod] = pods_of(sim, lambda p: waiting(p) in ("ErrImagePull", "ImagePullBackOff"), "failing to pull")
    assert pod["status"]["phase"] == "Pending"
    with pytest.raises(ApiError, match="is waiting to start"):
        kube.pod_log(pod["metadata"]["name"], "ns")
    [pod] = pods_of(sim, lambda p: waiting(p) == "ImagePullBackOff", "backing off")
    assert "Back-off pulling image" in pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"]


def test_a_pod_no_node_fits_is_unschedulable_naming_the_resource(sim, kube):
    dep = deployment(replicas=1)
    dep["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"nvidia.com/gpu": "1"}}
    kube.apply(dep)
    [pod] = pods_of(sim, lambda p: "reason" in p["status"]["conditions"][0], "with the scheduler's verdict")
    [cond] = pod["status"]["conditions"]
    assert (cond["status"], cond["reason"]) == ("False", "Unschedulable")
    assert cond["message"] == "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."
    sim.controllers.reconcile()
    again = sim.get("Pod", pod["metadata"]["name"], "ns")["status"]["conditions"][0]
    assert again["lastTransitionTime"] == cond["lastTransitionTime"]  # kept while it stays unschedulable


def test_discovery_lists_served_kinds_and_an_absent_crd_is_404(sim, kube):
    core = kube.request("GET", "/api/v1")
    assert {"Pod", "Service", "ConfigMap"} <= {r["kind"] for r in core["resources"]}
    groups = {g["name"] for g in kube.request("GET", "/apis")["groups"]}
    assert {"apps", "monitoring.coreos.com"} <= groups
    sim.discovery.absent |= {"ServiceMonitor", "PodMonitor"}  # a cluster without the Prometheus Operator
    assert "monitoring.coreos.com" not in {g["name"] for g in kube.request("GET", "/apis")["groups"]}
    with pytest.raises(NotFound):
        kube.request("GET", "/apis/monitoring.coreos.com/v1")
    with pytest.raises(NotFound, match="could not find the requested resource"):
        kube.list("ServiceMonitor", "ns")
