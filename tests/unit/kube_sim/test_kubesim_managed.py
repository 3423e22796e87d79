"""Server-side apply with field managers, and the HPA controller, in the simulator."""

from __future__ import annotations

import pytest
from tests.unit.kube_sim.conftest import deployment

from tritonship.deploy.kube import ApiError
from tritonship_standins.kube import managed
from tritonship_standins.kube.hpa import desired_replicas


def owners(obj: dict, path: tuple[str, ...]) -> set[tuple[str, str]]:
    return {key for key, paths in managed.entries(obj).items() if path in paths}


REPLICAS = ("spec", "replicas")


def test_apply_owns_what_it_applies_and_an_update_takes_a_field_over(sim, kube):
    kube.apply(deployment(replicas=3))
    assert owners(sim.get("Deployment", "web", "ns"), REPLICAS) == {("tritonship", "Apply")}
    kube.merge_patch("Deployment", "web", "ns", {"spec": {"replicas": 5}})  # fieldManager tritonship, Update
    live = sim.get("Deployment", "web", "ns")
    assert owners(live, REPLICAS) == {("tritonship", "Update")} and live["spec"]["replicas"] == 5


def test_leaving_a_field_out_of_apply_removes_it_unless_someone_else_owns_it(sim, kube):
    without = deployment(replicas=3)
    del without["spec"]["replicas"]
    kube.apply(deployment(replicas=3))
    kube.apply(without)
    assert sim.get("Deployment", "web", "ns")["spec"]["replicas"] == 1  # the real trap: back to the default
    kube.apply(deployment(replicas=3))
    kube.request("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web", body={"spec": {"replicas": 4}},
                 query=[("fieldManager", "kube-controller-manager")], content_type="application/merge-patch+json")
    kube.apply(without)
    live = sim.get("Deployment", "web", "ns")
    assert live["spec"]["replicas"] == 4 and owners(live, REPLICAS) == {("kube-controller-manager", "Update")}


def test_apply_without_force_conflicts_with_another_manager(sim, kube):
    kube.apply(deployment(replicas=3))
    with pytest.raises(ApiError) as conflict:
        kube.request("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web", body=deployment(replicas=2),
                     query=[("fieldManager", "someone")], content_type="application/apply-patch+yaml")
    assert conflict.value.status == 409 and 'conflict with "tritonship"' in str(conflict.value)
    assert "spec.replicas" in str(conflict.value)


@pytest.mark.parametrize(("current", "wanted", "expected"), [
    (1, None, 3), (9, None, 6), (4, None, 4), (4, 5, 5), (4, 10, 6), (0, None, 0)])
def test_hpa_decisions_mirror_the_controller(current, wanted, expected):
    assert desired_replicas(current, 3, 6, wanted) == expected


def test_hpa_controller_scales_through_its_own_field_manager(sim, kube):
    from tests.integration.promote.conftest import wait_for

    kube.apply(deployment(replicas=1))
    kube.apply({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "web", "namespace": "ns"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                         "minReplicas": 2, "maxReplicas": 4}})
    live = wait_for(lambda: (d := sim.get("Deployment", "web", "ns"))["spec"]["replicas"] == 2 and d,
                    what="HPA to scale to its minimum")
    assert owners(live, REPLICAS) == {("kube-controller-manager", "Update")}
    sim.behaviour.hpa_desired["web"] = 9
    wait_for(lambda: sim.get("Deployment", "web", "ns")["spec"]["replicas"] == 4, what="HPA to scale to max")


@pytest.mark.parametrize(("kind", "name", "labels", "words"), [
    ("Service", "9web", {}, "DNS-1035"),
    ("Service", "w" * 64, {}, "at most 63"),
    ("ConfigMap", "Web", {}, "DNS-1123 subdomain"),
    ("ConfigMap", "web", {"app": "x" * 64}, "at most 63"),
    ("ConfigMap", "web", {"bad key!": "x"}, "label key"),
])
def test_names_and_labels_are_validated_as_the_api_server_does(kube, kind, name, labels, words):
    api = {"Service": "v1", "ConfigMap": "v1"}[kind]
    obj = {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": "ns", "labels": labels}}
    if kind == "Service":
        obj["spec"] = {"ports": [{"port": 80}]}
    with pytest.raises(ApiError) as refused:
        kube.create(obj)
    assert refused.value.status == 422 and words in str(refused.value)
