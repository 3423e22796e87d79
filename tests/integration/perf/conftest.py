"""One tritonserver for the perf integration tests, on a tmp repository: the example's add_sub plus
models that sleep (fast and slowed on purpose, for the regression gate), one that always fails, and one
that echoes a large UINT8 tensor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_REPO

CONFIG = """
name: "{name}"
backend: "python"
max_batch_size: 4
input [ {{ name: "X" data_type: TYPE_FP32 dims: [ 4 ] }} ]
output [ {{ name: "Y" data_type: TYPE_FP32 dims: [ 4 ] }} ]
instance_group [ {{ count: 1 kind: KIND_CPU }} ]
"""

MODEL = """
import time

import triton_python_backend_utils as pb_utils

SLEEP_S = {sleep}
FAIL = {fail}


class TritonPythonModel:
    def execute(self, requests):
        out = []
        for request in requests:
            if FAIL:
                out.append(pb_utils.InferenceResponse(error=pb_utils.TritonError("deliberately failing model")))
                continue
            time.sleep(SLEEP_S)
            x = pb_utils.get_input_tensor_by_name(request, "X").as_numpy()
            out.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("Y", x)]))
        return out
"""

MODELS = {"sleepy_fast": (0.002, False), "sleepy_slow": (0.008, False), "always_fails": (0.0, True)}

ECHO_CONFIG = """
name: "echo_large"
backend: "python"
max_batch_size: 0
input [ { name: "X" data_type: TYPE_UINT8 dims: [ -1 ] } ]
output [ { name: "Y" data_type: TYPE_UINT8 dims: [ -1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
"""

ECHO_MODEL = """
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        out = []
        for request in requests:
            x = pb_utils.get_input_tensor_by_name(request, "X").as_numpy()
            out.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("Y", x)]))
        return out
"""


def make_repository(root: Path) -> Path:
    repo = root / "perf_repo"
    shutil.copytree(EXAMPLE_REPO / "add_sub", repo / "add_sub")
    for name, (sleep, fail) in MODELS.items():
        (repo / name / "1").mkdir(parents=True)
        (repo / name / "config.pbtxt").write_text(CONFIG.format(name=name))
        (repo / name / "1" / "model.py").write_text(MODEL.format(sleep=sleep, fail=fail))
    (repo / "echo_large" / "1").mkdir(parents=True)  # echoes a large tensor: large requests and responses
    (repo / "echo_large" / "config.pbtxt").write_text(ECHO_CONFIG)
    (repo / "echo_large" / "1" / "model.py").write_text(ECHO_MODEL)
    return repo


@pytest.fixture(scope="session")
def perf_repository(tmp_path_factory) -> Path:
    return make_repository(tmp_path_factory.mktemp("perf"))


@pytest.fixture(scope="session")
def perf_server(perf_repository):
    from tritonship.triton.launcher import launch_local

    with launch_local(perf_repository, timeout=120) as server:
        yield server


@pytest.fixture
def server_counts(perf_server):
    """success + failure count of a model, read independently of tritonship perf."""
    from tritonship.triton.client import TritonClient

    def counts(model: str) -> int:
        with TritonClient(perf_server.http_url) as client:
            stats = client.model_stats(model)["model_stats"]
        return sum(int(s["inference_stats"]["success"]["count"]) + int(s["inference_stats"]["fail"]["count"])
                   for s in stats)

    return counts
