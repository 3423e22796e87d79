"""`python -m tritonship_standins.kube serve` writes a kubeconfig the real client can use, then stops on SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_serve_writes_a_kubeconfig_and_stops_on_sigterm(tmp_path):
    from tritonship.deploy.kube import Kube, load_api_client

    kubeconfig = tmp_path / "kc"
    pythonpath = os.pathsep.join([str(ROOT / "agent"), str(ROOT / "standins")])  # this checkout's agent and stand-ins
    proc = subprocess.Popen([sys.executable, "-m", "tritonship_standins.kube", "serve", "--kubeconfig", str(kubeconfig),
                             "--nodes", "3", "--gpus-per-node", "2", "--namespace", "models-dev",
                             "--pull-fail-image", "typo"],
                            env={**os.environ, "PYTHONPATH": pythonpath}, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (kubeconfig.exists() and kubeconfig.stat().st_size) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        kube = Kube(load_api_client(kubeconfig=str(kubeconfig)))
        nodes = kube.list("Node")
        assert [n["status"]["allocatable"]["nvidia.com/gpu"] for n in nodes] == ["2", "2", "2"]
        assert kube.get("Namespace", "models-dev")["status"]["phase"] == "Active"
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
        state = kube.request("POST", "/_sim/behaviour", body={})
        assert state["pull_fail_image"] == "typo"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert "listening on http://127.0.0.1:" in proc.stderr.read()
