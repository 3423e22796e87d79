"""snapshot()/restore(): another simulator starts from the very cluster one left (the fault tests
prepare each flow once and start every call site from a copy)."""

from __future__ import annotations

from tests.unit.kube_sim.conftest import deployment
from tests.unit.kube_sim.test_kubesim_controller import _watch

from tritonship.deploy.clock import FakeClock
from tritonship.deploy.kube import Conflict, Kube, load_api_client


def _complete(dep: dict) -> bool:
    status = dep.get("status") or {}
    return status.get("observedGeneration") == dep["metadata"]["generation"] and \
        status.get("updatedReplicas") == status.get("availableReplicas") == dep["spec"]["replicas"]


def test_a_restored_simulator_holds_the_same_cluster_and_moves_on_from_it(sim, kube, tmp_path):
    import pytest

    from tritonship_standins.kube import KubeSimulator

    kube.apply(deployment(replicas=2))
    _watch(sim, "web", _complete)
    cm = kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"},
                      "data": {"k": "v"}})
    state = sim.snapshot()

    with KubeSimulator(nodes=1, ready_delay=0.1, namespaces=("ns",)).restore(state) as other:
        client = Kube(load_api_client(kubeconfig=str(other.write_kubeconfig(tmp_path / "other"))), FakeClock())
        assert [p["metadata"]["name"] for p in other.list("Pod", "ns")] == \
            [p["metadata"]["name"] for p in sim.list("Pod", "ns")]
        assert all(c["status"] == "True" for p in other.list("Pod", "ns") for c in p["status"]["conditions"])
        assert other.get("Deployment", "web", "ns")["status"] == sim.get("Deployment", "web", "ns")["status"]

        changed = client.replace({**cm, "data": {"k": "other"}})  # the snapshot's resourceVersion is current
        assert int(changed["metadata"]["resourceVersion"]) > max(
            int(o["metadata"]["resourceVersion"]) for o in state["objects"].values())
        with pytest.raises(Conflict):
            client.replace({**cm, "data": {"k": "stale"}})
        assert kube.get("ConfigMap", "cm", "ns")["data"] == {"k": "v"}  # the first simulator is untouched

        client.apply(deployment(replicas=2, image="img@sha256:" + "9" * 64))  # and it rolls out from there
        _watch(other, "web", _complete)
    assert state["objects"][("configmaps", "ns", "cm")]["data"] == {"k": "v"}  # the snapshot is a copy
