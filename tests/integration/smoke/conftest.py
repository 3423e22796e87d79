"""Fixtures for smoke tests: small model repositories built in tmp dirs from a few files.

Several broken models share ONE repository, so one server covers them all (the machine has 2 cores).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_REPO

IDENTITY_CONFIG = """
name: "{name}"
backend: "python"
max_batch_size: 4
input [ {{ name: "X" data_type: TYPE_FP32 dims: [ 3 ] }} ]
output [ {{ name: "Y" data_type: TYPE_FP32 dims: [ 3 ] }} ]
instance_group [ {{ count: 1 kind: KIND_CPU }} ]
"""

MODEL_HEAD = """
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
"""

BODIES = {
    "load_fails": """
    def initialize(self, args):
        raise RuntimeError("deliberately broken at load")

    def execute(self, requests):
        return []
""",
    "slow_load": """
    def initialize(self, args):
        import time
        time.sleep(60)

    def execute(self, requests):
        return []
""",
    "execute_raises": """
    def execute(self, requests):
        raise RuntimeError("deliberately broken in execute")
""",
    "returns_nan": """
    def execute(self, requests):
        out = []
        for request in requests:
            x = pb_utils.get_input_tensor_by_name(request, "X").as_numpy()
            y = np.full_like(x, np.nan)
            out.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("Y", y)]))
        return out
""",
    "decoupled_repeat": """
    def execute(self, requests):
        for request in requests:
            x = pb_utils.get_input_tensor_by_name(request, "X").as_numpy()
            sender = request.get_response_sender()
            for _ in range(2):
                sender.send(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("Y", x * 2)]))
            sender.send(flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
        return None
""",
}


ALL_TYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
             "FP16", "FP32", "FP64", "STRING", "BF16"]

ALL_TYPES_MODEL = """
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            outputs = []
            for tensor in request.inputs():
                name = tensor.name().replace("IN_", "OUT_")
                outputs.append(pb_utils.Tensor.from_dlpack(name, tensor.to_dlpack()) if name.endswith("BF16")
                               else pb_utils.Tensor(name, tensor.as_numpy()))  # numpy has no bfloat16
            responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
        return responses
"""


def write_all_types_model(repo: Path) -> None:
    """Echoes one input of every Triton data type (variable length) to the matching output."""
    tensors = {kind: ",\n".join(f'  {{ name: "{kind.upper()}_{t}" data_type: TYPE_{t} dims: [ -1 ] }}'
                                for t in ALL_TYPES) for kind in ("in", "out")}
    config = (f'name: "all_types"\nbackend: "python"\nmax_batch_size: 2\n'
              f'input [\n{tensors["in"]}\n]\noutput [\n{tensors["out"]}\n]\n')
    (repo / "all_types" / "1").mkdir(parents=True)
    (repo / "all_types" / "config.pbtxt").write_text(config)
    (repo / "all_types" / "1" / "model.py").write_text(ALL_TYPES_MODEL)


def write_python_model(repo: Path, name: str, body: str, *, decoupled: bool = False) -> None:
    config = IDENTITY_CONFIG.format(name=name)
    if decoupled:
        config += "model_transaction_policy { decoupled: true }\n"
    (repo / name / "1").mkdir(parents=True)
    (repo / name / "config.pbtxt").write_text(config)
    (repo / name / "1" / "model.py").write_text(MODEL_HEAD + body)


def _copy_model(src: Path, repo: Path) -> None:
    shutil.copytree(src, repo / src.name, ignore=shutil.ignore_patterns("__pycache__"))


@pytest.fixture(scope="session")
def tiny_repository(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("tiny") / "models"
    repo.mkdir()
    _copy_model(EXAMPLE_REPO / "add_sub", repo)
    return repo


@pytest.fixture(scope="session")
def broken_repository(tmp_path_factory) -> Path:
    """add_sub, a decoupled model and an every-data-type echo (good); models that fail to load, raise, return NaN."""
    repo = tmp_path_factory.mktemp("broken") / "models"
    repo.mkdir()
    _copy_model(EXAMPLE_REPO / "add_sub", repo)
    for name, body in BODIES.items():
        if name != "slow_load":
            write_python_model(repo, name, body, decoupled=name == "decoupled_repeat")
    write_all_types_model(repo)
    return repo


@pytest.fixture(scope="session")
def load_fail_repository(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("loadfail") / "models"
    repo.mkdir()
    _copy_model(EXAMPLE_REPO / "add_sub", repo)
    write_python_model(repo, "load_fails", BODIES["load_fails"])
    return repo


def write_json_case(folder: Path, model: str, case: str, doc: dict) -> None:
    import json

    (folder / model).mkdir(parents=True, exist_ok=True)
    (folder / model / f"{case}.json").write_text(json.dumps(doc))


ADD_SUB_CASE = {
    "inputs": {"INPUT0": [[1, 2, 3, 4]], "INPUT1": [[1, 1, 1, 1]]},
    "expected": {"OUTPUT0": [[2, 3, 4, 5]], "OUTPUT1": [[0, 1, 2, 3]]},
}


@pytest.fixture(scope="session")
def good_golden(tmp_path_factory) -> Path:
    """Correct golden cases for the example: JSON (FP32, BYTES) and npz (FP16)."""
    import numpy as np

    folder = tmp_path_factory.mktemp("golden-good")
    write_json_case(folder, "add_sub", "small", ADD_SUB_CASE)
    write_json_case(folder, "text_upper", "words", {"inputs": {"TEXT": [["abc"], ["Triton"]]},
                                                    "expected": {"UPPER": [["ABC"], ["TRITON"]]}})
    (folder / "scale_fp16").mkdir()
    x = np.arange(8, dtype=np.float16).reshape(2, 4)
    np.savez(folder / "scale_fp16" / "ramp.npz", **{"input:X": x, "expected:Y": x * 2})
    return folder


@pytest.fixture(scope="session")
def bad_golden(tmp_path_factory) -> Path:
    """add_sub golden case whose expected OUTPUT0[0, 2] is wrong (4 -> 40)."""
    folder = tmp_path_factory.mktemp("golden-bad")
    wrong = {**ADD_SUB_CASE, "expected": {**ADD_SUB_CASE["expected"], "OUTPUT0": [[2, 3, 40, 5]]}}
    write_json_case(folder, "add_sub", "wrong", wrong)
    return folder


@pytest.fixture
def slow_repository(tmp_path) -> Path:
    """One model that takes a minute to load: the server is up but not ready for a long time."""
    repo = tmp_path / "slow"
    repo.mkdir()
    write_python_model(repo, "slow_load", BODIES["slow_load"])
    return repo
