"""ledger_guard: rollback applies only objects tritonship renders (pure checks on recorded manifests)."""

from __future__ import annotations

import copy

import pytest
from tests.conftest import EXAMPLES

from tritonship.deploy.ledger_guard import problems
from tritonship.deploy.manifests import render_release
from tritonship.spec import load_spec

IMAGE = "reg.example/ml/example-models@sha256:" + "a" * 64


@pytest.fixture(scope="module")
def rendered():
    spec = load_spec(EXAMPLES / "tritonship.yaml")
    return spec, render_release(spec, "dev", IMAGE, 1)


def _check(spec, manifests, image=IMAGE):
    return problems(manifests, app=spec.project, env_name="dev", namespace=spec.environment("dev").namespace,
                    image=image)


def test_what_render_release_makes_passes(rendered):
    spec, manifests = rendered
    assert _check(spec, manifests) == []


def test_a_secret_a_role_or_another_namespace_is_refused(rendered):
    spec, manifests = rendered
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {**manifests[0]["metadata"]}}
    moved = copy.deepcopy(manifests[1])
    moved["metadata"]["namespace"] = "kube-system"
    found = _check(spec, [*manifests, secret, moved])
    assert any("v1/Secret is not one tritonship renders" in p for p in found)
    assert any("kube-system" in p and "namespace" in p for p in found)


def test_a_deployment_running_another_image_is_refused(rendered):
    spec, manifests = rendered
    assert any("not the revision's image" in p for p in _check(spec, manifests, image="other@sha256:" + "b" * 64))


def test_garbage_records_are_refused_not_crashed_on(rendered):
    spec, _ = rendered
    assert _check(spec, ["x", {"kind": "Deployment"}, {"metadata": "x"}]) == [
        "object 0: not a Kubernetes object", "object 1: not a Kubernetes object", "object 2: not a Kubernetes object"]
