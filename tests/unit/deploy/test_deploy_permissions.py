"""Which permissions the RBAC preflight asks for: the common set plus what the environment renders;
every kind written with server-side apply needs create as well as patch."""

from __future__ import annotations

from tritonship.deploy.preflight import NEEDED, needed_permissions
from tritonship.spec.environment import Environment


def test_plain_environment_needs_the_common_set():
    assert needed_permissions(Environment()) == NEEDED
    for resource in ("deployments", "services", "poddisruptionbudgets"):
        verbs = {v for v, _g, r in NEEDED if r == resource}
        assert {"get", "create", "patch"} <= verbs, resource


def test_autoscaling_and_monitors_add_their_objects_with_create():
    env = Environment(autoscaling={"min": 1, "max": 4}, service_monitor=True)
    extra = set(needed_permissions(env)) - set(NEEDED)
    assert extra == {(v, g, r) for v in ("get", "create", "patch") for g, r in
                     (("autoscaling", "horizontalpodautoscalers"), ("monitoring.coreos.com", "servicemonitors"))}
    pods = Environment(monitoring={"kind": "PodMonitor"})
    assert ("create", "monitoring.coreos.com", "podmonitors") in needed_permissions(pods)


def test_cluster_scoped_reads_are_not_required():
    assert not any(r in ("nodes", "pods") for _v, _g, r in needed_permissions(Environment()))
