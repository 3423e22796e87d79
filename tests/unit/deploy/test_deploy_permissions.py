"""Which permissions the RBAC preflight asks for: the common set plus what the environment renders."""

from __future__ import annotations

from tritonship.deploy.preflight import NEEDED, needed_permissions
from tritonship.spec.environment import Environment


def test_plain_environment_needs_the_common_set():
    assert needed_permissions(Environment()) == NEEDED
    assert ("patch", "apps", "deployments") in NEEDED


def test_autoscaling_and_service_monitor_add_their_objects():
    env = Environment(autoscaling={"min": 1, "max": 4}, service_monitor=True)
    extra = set(needed_permissions(env)) - set(NEEDED)
    assert extra == {
        ("patch", "autoscaling", "horizontalpodautoscalers"),
        ("patch", "monitoring.coreos.com", "servicemonitors"),
    }
