"""A namespace-scoped CI service account: cluster-wide reads are forbidden, yet the promotion runs
(capacity is reported unknown, a warning); a missing `create` is still caught by the RBAC preflight."""

from __future__ import annotations

from tests.integration.promote.conftest import GOOD, deployment_image, promote_args

NAMESPACE_SCOPED = [{"resource": "nodes"}, {"resource": "pods", "namespace": ""},
                    {"resource": "configmaps", "namespace": "kube-system"}]


def test_forbidden_cluster_reads_make_capacity_unknown_not_an_infrastructure_error(sim, tship):
    sim.access.deny.extend(NAMESPACE_SCOPED)
    sim.access.enforce = True
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 0, result.stdout + result.stderr
    capacity = next(c for c in result.json()["preflight"] if c["name"] == "capacity")
    assert capacity["status"] == "warning"
    assert capacity["detail"].startswith("unknown (forbidden: ") and "nodes" in capacity["detail"]
    assert deployment_image(sim) == GOOD


def test_server_side_apply_without_create_is_refused_before_anything_changes(sim, tship):
    sim.access.deny.append({"verb": "create", "resource": "services"})
    result = tship("promote", *promote_args(GOOD))
    assert result.exit_code == 1
    assert "create services" in result.json()["reason"]
    assert sim.get("Deployment", "demo-app", "models-dev") is None
