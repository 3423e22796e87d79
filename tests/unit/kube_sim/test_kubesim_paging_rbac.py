"""The simulator pages lists as the API server does, and authorises an apply that creates as `create`."""

from __future__ import annotations

import pytest
from tests.unit.kube_sim.conftest import deployment

from tritonship.deploy.kube import ApiError


def test_lists_come_in_pages_and_the_client_follows_the_continue_token(sim, kube):
    for i in range(6):
        sim.add_node(f"extra-{i}")
    kube.page_size = 3
    served = sim.faults.served
    names = [n["metadata"]["name"] for n in kube.list("Node")]
    assert len(names) == 7 and len(set(names)) == 7
    assert sim.faults.served - served == 3  # 3 + 3 + 1
    page = kube.request("GET", "/api/v1/nodes", query=[("limit", "2")])
    assert len(page["items"]) == 2 and page["metadata"]["remainingItemCount"] == 5
    with pytest.raises(ApiError) as bad:
        kube.request("GET", "/api/v1/nodes", query=[("limit", "2"), ("continue", "garbage!")])
    assert bad.value.status == 400


def test_server_side_apply_that_creates_needs_create(sim, kube):
    sim.access.deny.append({"verb": "create", "resource": "deployments"})
    sim.access.enforce = True
    with pytest.raises(ApiError) as denied:
        kube.apply(deployment())
    assert denied.value.status == 403 and "cannot create" in str(denied.value)
    sim.access.deny.clear()
    kube.apply(deployment())
    sim.access.deny.append({"verb": "create", "resource": "deployments"})
    kube.apply(deployment(replicas=2))  # the object exists: patch is enough
    assert sim.get("Deployment", "web", "ns")["spec"]["replicas"] == 2
