"""Client configuration edges: a context that cannot be honoured is bad input, never ignored; the
kubernetes client floor matches the API deploy/kube.py calls."""

from __future__ import annotations

import pytest

from tritonship.deploy.kube import load_api_client
from tritonship.errors import BadInput


def test_a_context_in_a_pod_without_kubeconfig_is_an_error(monkeypatch):
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    with pytest.raises(BadInput) as refused:
        load_api_client("prod-eu")
    assert "context 'prod-eu'" in refused.value.message and "in-cluster" in refused.value.message


def test_a_context_the_kubeconfig_lacks_is_an_error(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")  # a kubeconfig given: it wins over in-cluster
    kubeconfig = str(sim.write_kubeconfig(tmp_path / "kc"))
    assert load_api_client(None, kubeconfig).configuration.host == sim.url
    with pytest.raises(BadInput, match="nope"):
        load_api_client("nope", kubeconfig)


def test_the_kubernetes_floor_has_the_client_api_we_call():
    import tomllib
    from pathlib import Path

    from kubernetes.client import ApiClient

    pyproject = tomllib.loads((Path(__file__).resolve().parents[3] / "pyproject.toml").read_text())
    floor = next(d for d in pyproject["project"]["dependencies"] if d.startswith("kubernetes"))
    assert floor.replace(" ", "").startswith("kubernetes>=37")  # param_serialize first shipped in 37.0.0
    assert hasattr(ApiClient, "param_serialize")
