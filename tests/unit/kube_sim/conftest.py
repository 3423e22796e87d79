"""A simulator and a `Kube` client on it, with a fake clock for the client's backoff."""

from __future__ import annotations

import pytest


@pytest.fixture
def sim():
    from tritonship_standins.kube import KubeSimulator

    with KubeSimulator(nodes=1, ready_delay=0.1, namespaces=("ns",)) as simulator:
        yield simulator


@pytest.fixture
def kube(sim, tmp_path):
    from tritonship.deploy.clock import FakeClock
    from tritonship.deploy.kube import Kube, load_api_client

    return Kube(load_api_client(kubeconfig=str(sim.write_kubeconfig(tmp_path / "kc"))), FakeClock())


def deployment(name="web", image="img@sha256:" + "1" * 64, replicas=3, surge=1, unavailable=0, deadline=600):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"replicas": replicas, "progressDeadlineSeconds": deadline, "selector": {"matchLabels": labels},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}
