"""Verify what runs: image, revision annotation, rollout complete, Service selector."""

from __future__ import annotations

import copy

from tritonship.deploy.verify import carries, deployment_problems, service_problems

A = "r.example/ml/app@sha256:" + "a" * 64
B = "r.example/ml/app@sha256:" + "b" * 64


def dep(image: str = A, revision: str = "1", replicas: int = 2, available: int = 2, generation: int = 1) -> dict:
    return {"kind": "Deployment",
            "metadata": {"name": "app", "generation": generation, "annotations": {"tritonship.io/revision": revision}},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "c", "image": image}]}}},
            "status": {"observedGeneration": 1, "replicas": available, "updatedReplicas": available,
                       "availableReplicas": available}}


def test_the_same_name_running_another_digest_or_revision_is_not_it():
    want = dep()
    assert carries(want, want) == [] and deployment_problems(copy.deepcopy(want), want) == []
    assert carries(None, want) == ["Deployment app does not exist"]
    assert carries(dep(image=B), want) == [f"Deployment app runs {B}, not {A}"]
    assert carries(dep(revision="3"), want) == ["Deployment app is revision 3, not 1"]


def test_a_rollout_that_is_not_complete_is_not_running():
    assert "spec update to be observed" in deployment_problems(dep(generation=2), dep())[0]
    assert "1 out of 2 new replicas" in deployment_problems(dep(available=1), dep())[0]
    live = dep(replicas=1, available=1)  # someone scaled it down: the rendered two are not available
    assert deployment_problems(live, dep()) == ["Deployment app: 1 of 2 replicas available"]


def test_a_service_must_select_exactly_what_was_rendered():
    want = {"metadata": {"name": "app"}, "spec": {"selector": {"app": "x", "track": "blue"}}}
    assert service_problems(copy.deepcopy(want), want) == []
    green = {"metadata": {"name": "app"}, "spec": {"selector": {"app": "x", "track": "green"}}}
    assert "selects" in service_problems(green, want)[0]
    assert service_problems(None, want) == ["Service app does not exist"]
