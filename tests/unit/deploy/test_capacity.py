"""Capacity decisions: the strategy's peak footprint, taints and tolerations, and a cluster that grows."""

from __future__ import annotations

import pytest

from tritonship.deploy import capacity
from tritonship.deploy.capacity_view import ClusterView, fit_check, new_pod_count
from tritonship.spec.environment import Environment


def node(name, cpu="8", gpus=0, taints=(), labels=None):
    alloc = {"cpu": cpu, "memory": "32Gi", **({"nvidia.com/gpu": str(gpus)} if gpus else {})}
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": {"taints": list(taints)},
            "status": {"allocatable": alloc}}


def pod(node_name, cpu="1", gpus=0):
    req = {"cpu": cpu, **({"nvidia.com/gpu": str(gpus)} if gpus else {})}
    return {"metadata": {"name": "p", "namespace": "x"}, "spec": {"nodeName": node_name,
                                                                  "containers": [{"resources": {"requests": req}}]}}


def view(nodes, pods=(), new=1, request=None, tolerations=(), growable=None):
    return ClusterView(tuple(nodes), tuple(pods), request or {"cpu": 1.0}, new, "test", {}, tuple(tolerations),
                       growable)


GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


@pytest.mark.parametrize(("strategy", "existing", "expected"), [
    ("rolling", 0, 4), ("rolling", 4, 1), ("blue-green", 4, 4), ("blue-green", 0, 4), ("canary", 4, 2 + 2 + 1),
])
def test_peak_new_pods_per_strategy(strategy, existing, expected):
    got = capacity.peak_new_pods(strategy, 4, existing, max_surge="25%", canary_pods=2, baseline_pods=2)
    assert got == expected


def test_canary_peak_counts_the_largest_weight_with_its_baseline():
    env = Environment(replicas=4, strategy={"canary": {"baseline": True, "steps": [
        {"set_weight": 25}, {"pause": {}}, {"set_weight": 50}]}})
    n, why = new_pod_count(env, existing=4)
    assert n == 2 + 2 + 1 and "canary" in why  # 50% of 4 -> 2 canary + 2 baseline, +1 surge at promote


def test_running_pods_of_the_release_keep_their_room():
    nodes = [node("a", cpu="4")]
    assert fit_check(view(nodes, [pod("a", cpu="3")], new=1))[0] == "passed"
    status, detail = fit_check(view(nodes, [pod("a", cpu="3"), pod("a", cpu="1")], new=1))
    assert status == "failed" and "cpu short by 1000m" in detail


def test_tolerations_follow_the_api_rules():
    assert capacity.tolerates([{"key": "nvidia.com/gpu", "operator": "Exists"}], GPU_TAINT)
    assert capacity.tolerates([{"key": "nvidia.com/gpu", "value": "present"}], GPU_TAINT)
    assert not capacity.tolerates([{"key": "nvidia.com/gpu", "value": "other"}], GPU_TAINT)
    assert not capacity.tolerates([{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"}], GPU_TAINT)
    assert capacity.tolerates([{"operator": "Exists"}], GPU_TAINT)
    assert capacity.blocking_taints(node("a", taints=[{**GPU_TAINT, "effect": "PreferNoSchedule"}]), []) == []


def test_an_untolerated_gpu_taint_keeps_pods_off_the_node_and_says_so():
    gpu = {"cpu": 1.0, "nvidia.com/gpu": 1.0}
    nodes = [node("gpu-1", gpus=4, taints=[GPU_TAINT])]
    status, detail = fit_check(view(nodes, request=gpu))
    assert status == "failed" and "taint nvidia.com/gpu=present:NoSchedule" in detail
    ok = fit_check(view(nodes, request=gpu, tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists"}]))
    assert ok[0] == "passed"


def test_gke_adds_the_gpu_toleration_itself():
    gke = [node("gke-gpu", gpus=1, labels={"cloud.google.com/gke-nodepool": "gpu-pool"})]
    assert capacity.implicit_tolerations(1, gke) == [{"key": "nvidia.com/gpu", "operator": "Exists",
                                                       "effect": "NoSchedule"}]
    assert capacity.implicit_tolerations(0, gke) == []
    assert capacity.implicit_tolerations(1, [node("eks")]) == []


def test_a_cluster_that_grows_turns_a_shortfall_into_a_warning_naming_the_group():
    status_text = "Cluster-autoscaler status at 2026-01-01\nNodeGroups:\n  Name:        eks-gpu-a10g\n  Health: ..."
    groups = capacity.growable_groups(False, status_text, [])
    assert groups == ["eks-gpu-a10g"]
    status, detail = fit_check(view([], request={"nvidia.com/gpu": 1.0}, growable=tuple(groups)))
    assert status == "warning" and "node group(s) eks-gpu-a10g" in detail
    assert capacity.growable_groups(False, None, [node("a")]) is None
    karpenter = [node("k", labels={"karpenter.sh/nodepool": "gpu"})]
    assert capacity.growable_groups(False, None, karpenter) == ["gpu"]
    assert capacity.growable_groups(True, None, [node("n", labels={"eks.amazonaws.com/nodegroup": "ng1"})]) == ["ng1"]
