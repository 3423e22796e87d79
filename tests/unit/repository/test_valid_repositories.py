"""No false positives: the example and unusual-but-valid repositories lint clean."""

from __future__ import annotations

import pytest
from onnx import TensorProto as T
from tests.conftest import EXAMPLE_REPO
from tests.unit.repository.builders import (
    PY_MODEL,
    ensemble_model,
    onnx_bytes,
    python_config,
    python_model,
    step,
    tensors,
    write_repo,
)

from tritonship.repository.lint import lint_repository

FP32 = "TYPE_FP32"


def test_example_repository_is_clean():
    result = lint_repository(EXAMPLE_REPO)
    assert result.findings == ()
    assert [m.name for m in result.models] == ["add_sub", "add_sub_sum", "scale_fp16", "sum_varlen", "text_upper"]
    assert result.digest is not None and result.digest.files > 0


def onnx_config(name: str, extra: str = "") -> str:
    return python_config(name, extra=extra).replace('backend: "python"', 'platform: "onnxruntime_onnx"')


VALID = {
    "no-batching-variable-dims": python_model("m", mbs=0, inputs=(("X", FP32, [-1, -1]),),
                                              outputs=(("Y", FP32, [-1]),)),
    "variable-length-after-batch": python_model("m", inputs=(("IDS", "TYPE_INT64", [-1]),),
                                                outputs=(("EMB", FP32, [-1, 768]),)),
    "sequence-batching": python_model("m", extra=(
        "sequence_batching {\n  max_sequence_idle_microseconds: 5000000\n  control_input [ { name: \"START\" "
        "control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] } ]\n}\n"
        "instance_group [ { count: 2 kind: KIND_CPU } ]\n")),
    "kind-model-and-gpu": python_model("m", extra=(
        "instance_group [ { kind: KIND_MODEL }, { kind: KIND_GPU gpus: [ 0, 1 ] }, { kind: KIND_AUTO } ]\n")),
    "onnx-directory-model": {"m/config.pbtxt": onnx_config("m"),
                             "m/1/model.onnx/model.onnx": onnx_bytes([("X", T.FLOAT, ["batch", 4])],
                                                                      [("Y", T.FLOAT, ["batch", 4])])},
    "onnx-file-with-symbolic-dims": {
        "m/config.pbtxt": onnx_config("m").replace("dims: [4]", "dims: [-1]"),
        "m/1/model.onnx": onnx_bytes([("X", T.FLOAT, ["batch", "len"])], [("Y", T.FLOAT, ["batch", "len"])])},
    "version-policy-all": {**python_model("m", extra="version_policy { all { } }\n"),
                           "m/2/model.py": PY_MODEL, "m/10/model.py": PY_MODEL},
    "version-policy-specific": {**python_model("m", extra="version_policy { specific { versions: [ 1, 10 ] } }\n"),
                                "m/10/model.py": PY_MODEL},
    "reshape": python_model("m", config=(
        'name: "m"\nbackend: "python"\nmax_batch_size: 8\ninput [\n'
        '  { name: "S" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } },\n'
        '  { name: "M" data_type: TYPE_FP32 dims: [ 2, 3 ] reshape: { shape: [ 6 ] } },\n'
        '  { name: "V" data_type: TYPE_FP32 dims: [ -1, 4 ] reshape: { shape: [ -1, 2, 2 ] } },\n'
        '  { name: "I" data_type: TYPE_UINT8 dims: [ 3, 8, 8 ] format: FORMAT_NCHW }\n'
        "]\n" + tensors("output", ("Y", FP32, [4])))),
    "batching-with-priorities": python_model("m", extra=(
        "dynamic_batching {\n  preferred_batch_size: [ 4, 8 ]\n  max_queue_delay_microseconds: 100\n"
        "  priority_levels: 2\n  default_priority_level: 1\n"
        "  priority_queue_policy { key: 2 value: { max_queue_size: 4 } }\n}\n")),
    "ensemble-unmapped-output-and-optional-input": {
        **python_model("a", config=python_config("a", outputs=(("Y", FP32, [4]), ("AUX", "TYPE_INT32", [2])))
                       .replace('dims: [4] }\n]\noutput', 'dims: [4] },\n  { name: "OPT" data_type: TYPE_FP32 '
                                'dims: [4] optional: true }\n]\noutput', 1)),
        **ensemble_model("e", [step("a", {"X": "IN"}, {"Y": "OUT"})], mbs=4)},
    "batching-ensemble-over-non-batching-model": {
        **python_model("scale", mbs=0, inputs=(("X", "TYPE_FP16", [2, 4]),), outputs=(("Y", "TYPE_FP16", [2, 4]),)),
        **ensemble_model("e", [step("scale", {"X": "IN"}, {"Y": "OUT"})], inputs=(("IN", "TYPE_FP16", [4]),),
                         outputs=(("OUT", "TYPE_FP16", [4]),)),
    },
    "nested-ensemble-unbatched": {
        **python_model("a"),
        **ensemble_model("inner", [step("a", {"X": "IN"}, {"Y": "OUT"})]),
        **ensemble_model("outer", [step("inner", {"IN": "IN"}, {"OUT": "OUT"}, version=1)], mbs=0,
                         inputs=(("IN", FP32, [-1, 4]),), outputs=(("OUT", FP32, [2, 4]),)),
    },
    "other-backends-and-extras": {
        "ov/config.pbtxt": 'backend: "openvino"\nmax_batch_size: 0\n' + tensors("input", ("X", FP32, [4])),
        "ov/1/model.xml": "<net/>", "ov/1/model.bin": b"\0",
        "trt/config.pbtxt": 'platform: "tensorrt_plan"\nmax_batch_size: 4\n', "trt/3/model.plan": b"\0",
        "tf/config.pbtxt": 'platform: "tensorflow_savedmodel"\n', "tf/1/model.savedmodel/saved_model.pb": b"\0",
        "pt/config.pbtxt": 'backend: "pytorch"\ndefault_model_filename: "traced.pt"\n'
                           + tensors("output", ("OUTPUT__0", FP32, [4])), "pt/1/traced.pt": b"\0",
        "custom/config.pbtxt": 'backend: "my_custom_backend"\n', "custom/1/": None,
        "py/config.pbtxt": python_config("py"), "py/1/model.py": "from impl import TritonPythonModel\n",
        "py/configs/": None, "py/warmup/": None, "py/initial_state/": None,
        "junk/notes.txt": "ignored by .tritonshipignore", ".tritonshipignore": "junk/\n",
        "README.md": "top-level files are not models",
    },
}


@pytest.mark.parametrize("name", list(VALID))
def test_unusual_but_valid_repository(tmp_path, name):
    files = VALID[name]
    root = write_repo(tmp_path / "repo", {k: v for k, v in files.items() if v is not None})
    for rel, value in files.items():
        if value is None:
            (root / rel).mkdir(parents=True, exist_ok=True)
    result = lint_repository(root)
    assert [(f.rule, f.model, f.where, f.message) for f in result.findings] == []
    assert result.models
