"""Conformance corpus: repositories Triton loads lint without errors; each configuration error Triton
reports (qa/L0_model_config in triton-inference-server/server) is caught, with a passing twin.

The python-backend and ensemble cases that the test stack's tritonserver can load are also loaded for
real in tests/integration/validate (CORPUS there reuses these builders).
"""

from __future__ import annotations

import pytest
from onnx import TensorProto as T
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
IO = tensors("input", ("X", FP32, [4])) + tensors("output", ("Y", FP32, [4]))
ONNX = onnx_bytes([("X", T.FLOAT, ["N", 4])], [("Y", T.FLOAT, ["N", 4])])
AUTO_PY = ("class TritonPythonModel:\n    @staticmethod\n    def auto_complete_config(config):\n"
           '        config.add_input({"name": "X", "data_type": "TYPE_FP32", "dims": [4]})\n'
           "        return config\n\n    def execute(self, requests):\n        return []\n")
DECOUPLED = "model_transaction_policy { decoupled: true }\n"


def bare(name: str, files: dict, config: str | None = "max_batch_size: 8\n" + IO) -> dict:
    """A model with no platform/backend in config (None: no config.pbtxt at all)."""
    out = {f"{name}/{rel}": content for rel, content in files.items()}
    if config is not None:
        out[f"{name}/config.pbtxt"] = config
    return out


def ens(name: str, steps: list[str], **kwargs) -> dict:
    return ensemble_model(name, steps, **kwargs)


MUST_PASS = {
    # backend inferred from every default model filename (AutoCompleteBackendFields)
    "plan-file": bare("m", {"1/model.plan": b"\0"}),
    "onnx-file": bare("m", {"1/model.onnx": ONNX}),
    "onnx-directory": bare("m", {"1/model.onnx/model.onnx": ONNX}),
    "torchscript-file": bare("m", {"1/model.pt": b"\0"}),
    "torch-aoti-file": bare("m", {"1/model.pt2": b"\0"}),
    "python-file": bare("m", {"1/model.py": PY_MODEL}),
    "openvino-files": bare("m", {"1/model.xml": "<net/>", "1/model.bin": b"\0"}),
    "savedmodel-directory": bare("m", {"1/model.savedmodel/saved_model.pb": b"\0"}),
    "graphdef-file": bare("m", {"1/model.graphdef": b"\0"}),
    "tensorflow-backend-savedmodel": bare("m", {"1/model.savedmodel/saved_model.pb": b"\0"},
                                          'backend: "tensorflow"\n' + IO),
    # <name>.<backend> directories
    "name-dot-backend-empty-config": bare("m.identity", {"1/": None}, ""),
    "name-dot-backend-with-io": bare("add.identity", {"1/": None}, IO),
    # configs without tensors (the backend completes them)
    "onnx-config-without-tensors": bare("m", {"1/model.onnx": ONNX}, 'platform: "onnxruntime_onnx"\n'),
    "onnx-tensors-without-dims-and-type": bare(
        "m", {"1/model.onnx": ONNX},
        'backend: "onnxruntime"\nmax_batch_size: 8\ninput [ { name: "X" } ]\noutput [ { name: "Y" } ]\n'),
    "plan-config-without-tensors": bare("m", {"1/model.plan": b"\0"}, "max_batch_size: 4\n"),
    "python-auto-complete-config": bare("m", {"1/model.py": AUTO_PY}, 'backend: "python"\n'),
    "python-no-tensors": bare("m", {"1/model.py": PY_MODEL}, 'backend: "python"\n'),
    # no config.pbtxt at all (auto-complete is on by default): warnings only
    "no-config-onnx": bare("m", {"1/model.onnx": ONNX}, None),
    "no-config-plan": bare("m", {"1/model.plan": b"\0"}, None),
    "no-config-python": bare("m", {"1/model.py": PY_MODEL}, None),
    "no-config-savedmodel": bare("m", {"1/model.savedmodel/saved_model.pb": b"\0"}, None),
    "no-config-openvino": bare("m", {"1/model.xml": "<net/>", "1/model.bin": b"\0"}, None),
    "no-config-name-dot-backend": bare("m.identity", {"1/": None}, None),
    # platform-dependent rules with the platform inferred from the files
    "profile-with-inferred-tensorrt": bare("m", {"1/model.plan": b"\0"},
                                           "max_batch_size: 8\n" + IO + 'instance_group [ { kind: KIND_GPU '
                                           'profile: [ "0", "1" ] } ]\n'),
    "shape-tensor-with-inferred-tensorrt": bare("m", {"1/model.plan": b"\0"}, "max_batch_size: 8\n" + IO.replace(
        "dims: [4] }", "dims: [4] is_shape_tensor: true }", 1)),
    "non-linear-io-with-inferred-tensorrt": bare("m", {"1/model.plan": b"\0"}, "max_batch_size: 8\n" + IO.replace(
        "dims: [4] }", "dims: [3, 8, 8] is_non_linear_format_io: true }", 1)),
    "sequence-corrid-string-and-bool-start": python_model("m", extra=(
        'sequence_batching { control_input [ { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID '
        'data_type: TYPE_STRING } ] }, { name: "START" control [ { kind: CONTROL_SEQUENCE_START '
        "bool_false_true: [ false, true ] } ] } ] }\n")),
    "duplicate-tensor-names-load": python_model("m", inputs=(("X", FP32, [4]), ("X", FP32, [4]))),
    "kind-auto-with-gpus-depends-on-the-server": python_model(
        "m", extra="instance_group [ { kind: KIND_AUTO gpus: [ 0 ] } ]\n"),
    "ensemble-pins-a-loaded-version": {
        **python_model("a", extra="version_policy { all { } }\n"), "a/2/model.py": PY_MODEL,
        **ens("e", [step("a", {"X": "IN"}, {"Y": "OUT"}, version=1)]),
    },
    "response-cache-on-a-plain-model": python_model("m", extra="response_cache { enable: true }\n"),
    "negative-count-is-defaulted": python_model("m", extra="instance_group [ { count: -1 kind: KIND_CPU } ]\n"),
    # ensembles of ensembles, and decoupled models
    "ensemble-of-ensembles": {
        **python_model("a"), **ens("inner", [step("a", {"X": "IN"}, {"Y": "OUT"})]),
        **ens("middle", [step("inner", {"IN": "IN"}, {"OUT": "OUT"})]),
        **ens("outer", [step("middle", {"IN": "IN"}, {"OUT": "mid"}), step("inner", {"IN": "mid"}, {"OUT": "OUT"})]),
    },
    "decoupled-step-feeds-the-next": {
        **python_model("gen", extra=DECOUPLED), **python_model("a"),
        **ens("e", [step("gen", {"X": "IN"}, {"Y": "t"}), step("a", {"X": "t"}, {"Y": "OUT"})]),
    },
    "decoupled-model-alone": python_model("gen", extra=DECOUPLED),
    "same-decoupled-step-two-outputs": {
        **python_model("gen", extra=DECOUPLED, outputs=(("Y", FP32, [4]), ("Z", FP32, [4]))),
        **python_model("two", inputs=(("X", FP32, [4]), ("X2", FP32, [4]))),
        **ens("e", [step("gen", {"X": "IN"}, {"Y": "t1", "Z": "t2"}), step("two", {"X": "t1", "X2": "t2"},
                                                                           {"Y": "OUT"})]),
    },
    "ensemble-over-python-auto-complete": {
        **bare("p", {"1/model.py": AUTO_PY}, 'backend: "python"\n' + tensors("output", ("Y", FP32, [4]))),
        **ens("e", [step("p", {"X": "IN"}, {"Y": "OUT"})]),
    },
    "ensemble-over-autocompleted-onnx": {
        **bare("o", {"1/model.onnx": ONNX}, 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\n'),
        **ens("e", [step("o", {"X": "IN"}, {"Y": "OUT"})]),
    },
    # the passing twins of the error cases below
    "model-metrics-valid": python_model("m", extra=(
        'model_metrics { metric_control [ { metric_identifier { family: "nv_inference_first_response_histogram_ms" }'
        " histogram_options { buckets: [ 1, 10, 100 ] } } ] }\n")),
    "gpu-ids-valid": python_model("m", extra="instance_group [ { kind: KIND_GPU gpus: [ 0, 1 ] } ]\n"),
    "runtime-inside-backend-dir": python_model("m", extra='runtime: "libtriton_python.so"\n'),
    "pytorch-with-outputs": bare("m", {"1/model.pt": b"\0"}, 'backend: "pytorch"\nmax_batch_size: 8\n' + IO),
    "tensorrt-parameter-valid": bare("m", {"1/model.plan": b"\0"}, "max_batch_size: 8\n" + IO + (
        'parameters { key: "execution_context_allocation_strategy" value: { string_value: "ON_PROFILE_CHANGE" } }\n')),
}

GOOD_ENSEMBLE = {**python_model("a"), **python_model("b", inputs=(("Y", FP32, [4]),), outputs=(("Z", FP32, [4]),))}
METRIC = "model_metrics { metric_control [ { %s } ] }\n"

MUST_FAIL = {
    "cross-ensemble-cycle": ({
        **ens("e1", [step("e2", {"IN": "IN"}, {"OUT": "OUT"})]),
        **ens("e2", [step("e1", {"IN": "IN"}, {"OUT": "OUT"})]),
    }, "ensemble/circular-dependency", {"e1", "e2"}),
    "ensemble-self-reference": ({
        **python_model("a"),
        **ens("e", [step("a", {"X": "IN"}, {"Y": "t"}), step("e", {"IN": "t"}, {"OUT": "OUT"})]),
    }, "ensemble/circular-dependency", {"e"}),
    "three-ensemble-cycle-and-a-dependent": ({
        **ens("e1", [step("e2", {"IN": "IN"}, {"OUT": "OUT"})]),
        **ens("e2", [step("e3", {"IN": "IN"}, {"OUT": "OUT"})]),
        **ens("e3", [step("e1", {"IN": "IN"}, {"OUT": "OUT"})]),
        **ens("top", [step("e1", {"IN": "IN"}, {"OUT": "OUT"})]),
    }, "ensemble/circular-dependency", {"e1", "e2", "e3"}),
    "decoupled-branching": ({
        **python_model("gen", extra=DECOUPLED),
        **python_model("two", inputs=(("X", FP32, [4]), ("X2", FP32, [4]))),
        **ens("e", [step("gen", {"X": "IN"}, {"Y": "t1"}), step("gen", {"X": "IN"}, {"Y": "t2"}),
                    step("two", {"X": "t1", "X2": "t2"}, {"Y": "OUT"})]),
    }, "ensemble/decoupled-branching", {"e"}),
    "decoupled-mixed-with-ensemble-input": ({
        **python_model("gen", extra=DECOUPLED),
        **python_model("two", inputs=(("X", FP32, [4]), ("X2", FP32, [4]))),
        **ens("e", [step("gen", {"X": "IN"}, {"Y": "t1"}), step("two", {"X": "t1", "X2": "IN"}, {"Y": "OUT"})]),
    }, "ensemble/decoupled-branching", {"e"}),
    "decoupled-through-a-nested-ensemble": ({
        **python_model("gen", extra=DECOUPLED),
        **python_model("two", inputs=(("X", FP32, [4]), ("X2", FP32, [4]))),
        **ens("inner", [step("gen", {"X": "IN"}, {"Y": "OUT"})]),
        **ens("e", [step("inner", {"IN": "IN"}, {"OUT": "t1"}), step("gen", {"X": "IN"}, {"Y": "t2"}),
                    step("two", {"X": "t1", "X2": "t2"}, {"Y": "OUT"})]),
    }, "ensemble/decoupled-branching", {"e"}),
    "metrics-no-identifier": (python_model("m", extra=METRIC % "histogram_options { buckets: [ 1 ] }"),
                              "config/model-metrics", {"m"}),
    "metrics-no-family": (python_model("m", extra=METRIC % "metric_identifier { } histogram_options { buckets: [1] }"),
                          "config/model-metrics", {"m"}),
    "metrics-no-histogram": (python_model("m", extra=METRIC % 'metric_identifier { family: "f" }'),
                             "config/model-metrics", {"m"}),
    "metrics-empty-buckets": (python_model("m", extra=METRIC % 'metric_identifier { family: "f" } '
                                                                "histogram_options { buckets: [ ] }"),
                              "config/model-metrics", {"m"}),
    "negative-gpu-id": (python_model("m", extra="instance_group [ { kind: KIND_GPU gpus: [ -1 ] } ]\n"),
                        "config/instance-gpu-id", {"m"}),
    "runtime-escape": (python_model("m", extra='runtime: "../dummy_runtime/libtriton_python.so"\n'),
                       "config/runtime-escape", {"m"}),
    "runtime-absolute": (python_model("m", extra='runtime: "/opt/libtriton_python.so"\n'),
                         "config/runtime-escape", {"m"}),
    "pytorch-without-outputs": (bare("m", {"1/model.pt": b"\0"}, 'backend: "pytorch"\nmax_batch_size: 1\n'
                                + tensors("input", ("INPUT__0", "TYPE_INT32", [16]))),
                                "backend/pytorch-outputs", {"m"}),
    "inferred-pytorch-without-outputs": (bare("m", {"1/model.pt": b"\0"}, tensors("input", ("X", FP32, [4]))),
                                         "backend/pytorch-outputs", {"m"}),
    "tensorrt-parameter-value": (bare("m", {"1/model.plan": b"\0"}, "max_batch_size: 8\n" + IO + (
        'parameters { key: "execution_context_allocation_strategy" value: { string_value: "UNKNOWN" } }\n')),
        "backend/tensorrt-parameter", {"m"}),
    "tensor-read-never-written": ({
        **GOOD_ENSEMBLE, **ens("e", [step("a", {"X": "IN"}, {"Y": "mid"}), step("b", {"Y": "nope"}, {"Z": "OUT"})]),
    }, "ensemble/tensor-not-produced", {"e"}),
    "tensor-read-never-written-missing-model": ({
        **GOOD_ENSEMBLE, **ens("e", [step("a", {"X": "IN"}, {"Y": "mid"}), step("gone", {"Y": "nope"}, {"Z": "OUT"})]),
    }, "ensemble/tensor-not-produced", {"e"}),
    "ensemble-over-a-failing-model": ({
        **python_model("a", extra="dynamic_batching { preferred_batch_size: [ 64 ] }\n"),
        **ens("e", [step("a", {"X": "IN"}, {"Y": "OUT"})]), **ens("top", [step("e", {"IN": "IN"}, {"OUT": "OUT"})]),
    }, "ensemble/step-model-fails", {"e", "top"}),
    "non-linear-io-outside-tensorrt": (python_model("m", config=python_config("m", inputs=(("X", FP32, [3, 8, 8]),))
                                                    .replace("8] }", "8] is_non_linear_format_io: true }")),
                                       "config/non-linear-format", {"m"}),
    "sequence-control-two-value-kinds": (python_model("m", extra=(
        'sequence_batching { control_input [ { name: "START" control [ { kind: CONTROL_SEQUENCE_START '
        "int32_false_true: [ 0, 1 ] bool_false_true: [ false, true ] } ] } ] }\n")), "config/sequence-control", {"m"}),
    "batch-item-shape-two-sources": (python_model("m", inputs=(("X", FP32, [4]), ("X2", FP32, [4])), extra=(
        'batch_input [ { kind: BATCH_ITEM_SHAPE target_name: "S" data_type: TYPE_INT32 source_input: [ "X", "X2" ] '
        "} ]\n")), "config/batch-io", {"m"}),
    "ensemble-version-not-loaded": ({
        **python_model("a"), "a/2/model.py": PY_MODEL, **ens("e", [step("a", {"X": "IN"}, {"Y": "OUT"}, version=1)]),
    }, "ensemble/model-version", {"e"}),
    "response-cache-with-sequence-batching": (python_model("m", extra="sequence_batching { }\n"
                                                           "response_cache { enable: true }\n"),
                                              "config/response-cache", {"m"}),
    "response-cache-on-a-decoupled-model": (python_model("m", extra=DECOUPLED + "response_cache { enable: true }\n"),
                                            "config/response-cache", {"m"}),
    "no-backend-inferable": (bare("m", {"1/weights.bin": b"\0"}, IO), "config/no-backend", {"m"}),
    "no-config-no-backend": (bare("m", {"1/weights.bin": b"\0"}, None), "layout/missing-config", {"m"}),
    "no-config-pytorch": (bare("m", {"1/model.pt": b"\0"}, None), "layout/missing-config", {"m"}),
    "python-tensor-without-dims": (python_model("m", inputs=(("X", FP32, []),)), "config/tensor-dims", {"m"}),
}


def lint(tmp_path, files: dict):
    root = tmp_path / "repo"
    write_repo(root, {k: v for k, v in files.items() if v is not None})
    for rel, value in files.items():
        if value is None:
            (root / rel).mkdir(parents=True, exist_ok=True)
    return lint_repository(root, digest=False)


@pytest.mark.parametrize("name", list(MUST_PASS))
def test_repository_triton_loads_has_no_error(tmp_path, name):
    result = lint(tmp_path, MUST_PASS[name])
    assert [(f.rule, f.model, f.message) for f in result.findings if f.severity == "error"] == []
    assert result.models


@pytest.mark.parametrize("name", list(MUST_FAIL))
def test_configuration_error_triton_reports_is_caught(tmp_path, name):
    files, rule, models = MUST_FAIL[name]
    result = lint(tmp_path, files)
    hits = {f.model for f in result.findings if f.rule == rule and f.severity == "error"}
    assert hits == models, [(f.rule, f.model, f.message) for f in result.findings]


@pytest.mark.parametrize(("name", "backend", "platform"), [
    ("plan-file", "tensorrt", "tensorrt_plan"), ("onnx-directory", "onnxruntime", "onnxruntime_onnx"),
    ("torchscript-file", "pytorch", "pytorch_libtorch"), ("torch-aoti-file", "pytorch", "torch_aoti"),
    ("python-file", "python", ""), ("openvino-files", "openvino", ""),
    ("savedmodel-directory", "tensorflow", "tensorflow_savedmodel"), ("graphdef-file", "tensorflow",
                                                                       "tensorflow_graphdef"),
    ("name-dot-backend-empty-config", "identity", ""), ("no-config-onnx", "onnxruntime", "onnxruntime_onnx"),
])
def test_backend_and_platform_are_inferred_as_triton_does(tmp_path, name, backend, platform):
    [model] = lint(tmp_path, MUST_PASS[name]).models
    assert (model.backend, model.platform) == (backend, platform)


def test_inference_reads_only_the_first_version_directory(tmp_path):
    """core inspects `*version_dirs.begin()`: the first sub-directory in name order ('1' before '2')."""
    result = lint(tmp_path, bare("m", {"1/weights.bin": b"\0", "2/model.onnx": ONNX}))
    assert {f.rule for f in result.findings if f.severity == "error"} == {"config/no-backend"}


def test_missing_config_severity_says_what_the_server_does(tmp_path):
    warning = lint(tmp_path / "a", MUST_PASS["no-config-onnx"]).findings
    assert [(f.rule, f.severity) for f in warning] == [("layout/missing-config", "warning")]
    assert "server will complete" in warning[0].message
    error = lint(tmp_path / "b", MUST_FAIL["no-config-no-backend"][0]).findings
    assert "Could not determine backend for model 'm'" in error[0].message


def test_tensor_the_server_completes_is_a_note_that_never_fails(tmp_path):
    result = lint(tmp_path, bare("m", {"1/model.plan": b"\0"}, 'max_batch_size: 8\ninput [ { name: "X" } ]\n'))
    notes = [f for f in result.findings if f.severity == "note"]
    assert {f.rule for f in notes} == {"config/tensor-dims", "config/tensor-dtype"}
    assert all("server will complete" in f.message for f in notes)
    assert result.passed(strict=True)


def test_onnx_tensor_without_type_is_checked_against_the_model(tmp_path):
    config = 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [ { name: "WRONG" } ]\n'
    result = lint(tmp_path, bare("m", {"1/model.onnx": ONNX}, config))
    assert {f.rule for f in result.findings if f.severity == "error"} == {"onnx/unknown-input", "onnx/missing-input"}
