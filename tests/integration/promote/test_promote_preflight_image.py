"""Preflight asks the real registry whether the digest exists; an expired lease is taken over."""

from __future__ import annotations

import pytest
from tests.integration.promote.conftest import GOOD, deployment_image, ledger, promote_args, push_tiny_image

pytestmark = pytest.mark.integration


def test_image_preflight_checks_the_registry(sim, project, tship, registry):
    project.spec.write_text(project.spec.read_text() + "image:\n  insecure_registry: true\n")
    image = push_tiny_image(registry, "ml/demo-app")
    ok = tship("promote", "--env", "dev", "--image", image)
    assert ok.exit_code == 0, ok.stderr
    check = next(c for c in ok.json()["preflight"] if c["name"] == "image")
    assert check["status"] == "passed" and image.split("@")[1] in check["detail"]
    missing = image.split("@")[0] + "@sha256:" + "f" * 64
    refused = tship("promote", "--env", "dev", "--image", missing)
    assert refused.exit_code == 1
    assert "is not in registry" in refused.json()["reason"]
    assert deployment_image(sim) == image and len(ledger(sim)) == 1


def test_an_expired_lease_is_taken_over(sim, tship):
    from tritonship_standins.kube.store import BY_PATH

    sim.store.create(BY_PATH[("coordination.k8s.io/v1", "leases")], "models-dev", {
        "metadata": {"name": "tritonship-demo-app-dev"},
        "spec": {"holderIdentity": "ci (pid 1 on gone-agent)", "leaseDurationSeconds": 1,
                 "acquireTime": "2026-01-01T00:00:00.000000Z", "renewTime": "2026-01-01T00:00:00.000000Z"}})
    refused = tship("promote", *promote_args(GOOD))  # never compares the holder's clock with ours
    assert refused.exit_code == 1 and "held by ci" in refused.json()["error"]["message"]
    # unchanged for its duration as this agent observes it: taken over
    result = tship("promote", *promote_args(GOOD), "--wait-lock", "30")
    assert result.exit_code == 0, result.stderr
    assert result.json()["lock_takeover"] == "expired lease of ci (pid 1 on gone-agent)"
