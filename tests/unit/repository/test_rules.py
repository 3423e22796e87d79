"""One broken repository per lint rule, and the exact finding it produces (rule, severity, model, file, line)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from onnx import TensorProto as T
from tests.unit.repository.builders import (
    PY_MODEL,
    chain_repo,
    ensemble_model,
    onnx_bytes,
    onnx_model,
    python_config,
    python_model,
    step,
    write_repo,
)

from tritonship.repository.lint import lint_repository

FP32 = "TYPE_FP32"


@dataclass
class Case:
    id: str
    files: dict
    rule: str
    severity: str
    model: str | None
    path: str
    line: int | None
    hint: str = ""  # a fragment the hint must contain
    also: tuple[str, ...] = field(default=())  # other rules this mistake legitimately triggers


def py(extra: str = "", **kwargs) -> dict:
    return python_model("m", python_config("m", extra=extra, **kwargs))


def cfg(text: str, name: str = "m") -> dict:
    return {f"{name}/config.pbtxt": text, f"{name}/1/model.py": PY_MODEL}


def onnx_case(config_inputs, model_inputs, mbs=8, config_outputs=(("Y", FP32, [4]),), model_outputs=None) -> dict:
    config = python_config("m", mbs=mbs, inputs=config_inputs, outputs=config_outputs).replace(
        'backend: "python"', 'platform: "onnxruntime_onnx"')
    outputs = model_outputs or [("Y", T.FLOAT, ["N", 4])]
    return onnx_model("m", config, onnx_bytes(model_inputs, outputs))


def ens(steps, **kwargs) -> dict:
    return {**chain_repo(), **ensemble_model("e", steps, **kwargs)}


A = step("a", {"X": "IN"}, {"Y": "mid"})
B = step("b", {"Y": "mid"}, {"Z": "OUT"})
CFG = "m/config.pbtxt"

CASES = [
    # layout
    Case("missing-config", {"m/1/model.py": PY_MODEL}, "layout/missing-config", "warning", "m", "m/", None,
         "--disable-auto-complete-config"),
    Case("missing-config-no-backend", {"m/1/weights.bin": b"\0"}, "layout/missing-config", "error", "m", "m/",
         None),
    Case("missing-config-pytorch", {"m/1/model.pt": b"\0"}, "layout/missing-config", "error", "m", "m/", None),
    Case("no-version", {CFG: python_config("m")}, "layout/no-version", "error", "m", "m/", None, "m/1/"),
    Case("version-zero", {**py(), "m/0/model.py": PY_MODEL}, "layout/version-zero", "warning", "m", "m/0/", None),
    Case("not-a-version", {**py(), "m/v2/model.py": PY_MODEL}, "layout/not-a-version", "warning", "m", "m/v2/", None),
    Case("missing-model-file", {CFG: python_config("m"), "m/1/model_v2.py": PY_MODEL}, "layout/missing-model-file",
         "error", "m", "m/1/", None, "rename model_v2.py to model.py"),
    Case("default-model-filename", py('default_model_filename: "net.py"\n'), "layout/missing-model-file", "error",
         "m", "m/1/", 10, "default_model_filename"),
    Case("missing-cc-model-file", {"m/config.pbtxt": python_config("m").replace('backend: "python"', 'platform: '
         '"tensorrt_plan"') + 'cc_model_filenames { key: "7.5" value: "model_t4.plan" }\n', "m/1/model.plan": b"\0"},
         "layout/missing-cc-model-file", "error", "m", "m/1/", 10),
    Case("missing-cc-model-file-ignored", py('cc_model_filenames { key: "7.5" value: "model_t4.py" }\n'),
         "layout/missing-cc-model-file", "warning", "m", "m/1/", 10, "add the file"),
    Case("empty-repository", {}, "layout/empty-repository", "error", None, ".", None),
    # parsing
    Case("placeholder-parse", cfg('name: "m"\nbackend: "python"\nmax_batch_size: {{ max_batch }}\n'),
         "config/parse-error", "error", "m", CFG, 3, "placeholder '{{ max_batch }}'"),
    Case("placeholder-string", cfg(python_config("m").replace('"X"', '"{{ input_name }}"')), "config/placeholder",
         "error", "m", CFG, 5, "render the template"),
    Case("schedulers-exclusive", py("dynamic_batching { }\nsequence_batching { }\n"), "config/parse-error", "error",
         "m", CFG, 11, "mutually exclusive"),
    Case("bad-enum", py("instance_group [ { kind: KIND_TPU } ]\n"), "config/parse-error", "error", "m", CFG, 10,
         "KIND_GPU"),
    Case("unknown-field", py("max_batch: 4\n"), "config/parse-error", "error", "m", CFG, 10, "max_batch_size"),
    # fields
    Case("name-mismatch", cfg(python_config("other")), "config/name-mismatch", "error", "m", CFG, 1, 'name: "m"'),
    Case("no-backend", {CFG: python_config("m").replace('backend: "python"\n', ""), "m/1/weights.bin": b"\0"},
         "config/no-backend", "error", "m", CFG, None, "<name>.<backend>"),
    Case("platform-in-backend", cfg(python_config("m").replace('"python"', '"onnxruntime_onnx"')),
         "config/platform-in-backend", "error", "m", CFG, 2, 'platform: "onnxruntime_onnx"',
         also=("layout/missing-model-file",)),
    Case("unknown-platform", cfg(python_config("m").replace('backend: "python"', 'platform: "onnx_runtime"')),
         "config/unknown-platform", "error", "m", CFG, 2, "onnxruntime_onnx"),
    Case("platform-backend-mismatch", cfg('platform: "onnxruntime_onnx"\n' + python_config("m")),
         "config/platform-backend-mismatch", "error", "m", CFG, 3, 'backend: "onnxruntime"',
         also=("layout/missing-model-file",)),
    Case("unknown-backend", cfg(python_config("m").replace('"python"', '"pyhton"')), "config/unknown-backend",
         "warning", "m", CFG, 2, "'python'"),
    Case("negative-max-batch-size", py(mbs=-1), "config/max-batch-size", "error", "m", CFG, 3),
    Case("gpus-need-kind-gpu", py("instance_group [ { kind: KIND_CPU gpus: [ 0 ] } ]\n"), "config/instance-gpus",
         "error", "m", CFG, 10, "KIND_GPU"),
    Case("latest-zero", py("version_policy { latest { num_versions: 0 } }\n"), "config/version-policy", "error", "m",
         CFG, 10),
    Case("specific-missing", py("version_policy { specific { versions: [ 1, 3 ] } }\n"),
         "config/version-policy-missing", "error", "m", CFG, 10, "create m/3/"),
    # tensors
    Case("tensor-name", py(inputs=(("", FP32, [4]),)), "config/tensor-name", "error", "m", CFG, 4),
    Case("tensor-duplicate", py(inputs=(("X", FP32, [4]), ("X", FP32, [4]))), "config/tensor-duplicate", "warning",
         "m", CFG, 5),
    Case("tensor-dtype", py(inputs=(("X", "TYPE_INVALID", [4]),)), "config/tensor-dtype", "error", "m", CFG, 5),
    Case("tensor-no-dims", py(inputs=(("X", FP32, []),)), "config/tensor-dims", "error", "m", CFG, 5),
    Case("tensor-zero-dim", py(inputs=(("X", FP32, [0, 4]),)), "config/tensor-dims", "error", "m", CFG, 5),
    Case("reshape", cfg(python_config("m").replace("dims: [4] }", "dims: [4]\n  reshape: { shape: [2, 3] } }", 1)),
         "config/reshape", "error", "m", CFG, 6, "same number of elements"),
    Case("empty-reshape-unbatched", cfg(python_config("m", mbs=0, inputs=(("X", FP32, [1]),)).replace(
         "dims: [1] }", "dims: [1] reshape: { shape: [ ] } }")),
         "config/reshape", "error", "m", CFG, 5, "max_batch_size > 0"),
    Case("format-rank", cfg(python_config("m").replace("dims: [4] }", "dims: [4] format: FORMAT_NHWC }", 1)),
         "config/tensor-format", "error", "m", CFG, 5, "exactly 3 dims"),
    Case("batch-dim-repeated", py(inputs=(("X", FP32, [-1, 3]),), outputs=(("Y", FP32, [-1, 2]),)),
         "config/batch-dim-repeated", "warning", "m", CFG, 5, "drop the leading -1"),
    Case("batching-without-batch", py("dynamic_batching { }\n", mbs=0), "config/dynamic-batching", "warning", "m",
         CFG, 10),
    Case("preferred-batch-size", py("dynamic_batching { preferred_batch_size: [ 4, 16 ] }\n"),
         "config/preferred-batch-size", "error", "m", CFG, 10, "<= max_batch_size"),
    Case("preferred-without-batching", py("dynamic_batching { preferred_batch_size: [ 4 ] }\n", mbs=0),
         "config/preferred-batch-size", "error", "m", CFG, 10, also=("config/dynamic-batching",)),
    Case("priority-without-levels", py("dynamic_batching { default_priority_level: 1 }\n"), "config/priority-levels",
         "warning", "m", CFG, 10, "priority_levels"),
    Case("preserve-ordering-delay", py("dynamic_batching {\n  preserve_ordering: true\n  default_queue_policy { "
                                       "timeout_action: DELAY default_timeout_microseconds: 100 }\n}\n"),
         "config/preserve-ordering", "error", "m", CFG, 11, "REJECT"),
    Case("sequence-control", py('sequence_batching {\n  control_input [ { name: "START" control [ '
                                '{ kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0 ] } ] } ]\n}\n'),
         "config/sequence-control", "error", "m", CFG, 11, "exactly two"),
    Case("sequence-corrid-type", py('sequence_batching {\n  control_input [ { name: "CORRID" control [ '
                                    '{ kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_FP32 } ] } ]\n}\n'),
         "config/sequence-control", "error", "m", CFG, 11),
    Case("sequence-oldest-preferred", py("sequence_batching { oldest { preferred_batch_size: [ 9 ] } }\n"),
         "config/preferred-batch-size", "error", "m", CFG, 10),
    Case("batch-input-source", py('batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "N" data_type: '
                                  'TYPE_INT32 source_input: "NOPE" } ]\n'),
         "config/batch-io", "error", "m", CFG, 10),
    Case("shape-tensor", cfg(python_config("m").replace("dims: [4] }", "dims: [4] is_shape_tensor: true }", 1)),
         "config/shape-tensor", "error", "m", CFG, 5, "tensorrt_plan"),
    Case("profile-outside-tensorrt", py('instance_group [ { kind: KIND_GPU profile: [ "0" ] } ]\n'),
         "config/instance-profile", "error", "m", CFG, 10),
    Case("priority-levels", py("dynamic_batching {\n  priority_levels: 2\n  default_priority_level: 3\n}\n"),
         "config/priority-levels", "error", "m", CFG, 11),
    # python backend
    Case("python-syntax", {CFG: python_config("m"), "m/1/model.py": "def broken(:\n    pass\n"},
         "python/syntax-error", "error", "m", "m/1/model.py", 1),
    Case("python-no-class", {CFG: python_config("m"), "m/1/model.py": "x = 1\n"}, "python/no-model-class", "error",
         "m", "m/1/model.py", None, "TritonPythonModel"),
    # onnx
    Case("onnx-unreadable", onnx_model("m", python_config("m").replace('backend: "python"', 'platform: '
         '"onnxruntime_onnx"'), b"not an onnx file"), "onnx/unreadable", "error", "m", "m/1/model.onnx", None),
    Case("onnx-unknown-input", onnx_case((("INPUT", FP32, [4]),), [("X", T.FLOAT, ["N", 4])]),
         "onnx/unknown-input", "error", "m", CFG, 5, "X", also=("onnx/missing-input",)),
    Case("onnx-missing-input", onnx_case((("X", FP32, [4]),), [("X", T.FLOAT, ["N", 4]), ("X2", T.FLOAT, ["N", 4])]),
         "onnx/missing-input", "error", "m", CFG, 4, "X2"),
    Case("onnx-unknown-output", onnx_case((("X", FP32, [4]),), [("X", T.FLOAT, ["N", 4])],
                                          model_outputs=[("PROB", T.FLOAT, ["N", 4])]),
         "onnx/unknown-output", "error", "m", CFG, 8, "PROB"),
    Case("onnx-dtype", onnx_case((("X", FP32, [4]),), [("X", T.INT64, ["N", 4])]), "onnx/dtype-mismatch", "error",
         "m", CFG, 5, "TYPE_INT64"),
    Case("onnx-rank", onnx_case((("X", FP32, [-1, 4]),), [("X", T.FLOAT, ["N", 4])]), "onnx/rank-mismatch", "error",
         "m", CFG, 5, "drop the first dim"),
    Case("onnx-no-batch-dim", onnx_case((("X", FP32, [4]),), [("X", T.FLOAT, [1, 4])]), "onnx/no-batch-dim",
         "error", "m", CFG, 5, "dynamic batch"),
    Case("onnx-shape", onnx_case((("X", FP32, [4]),), [("X", T.FLOAT, ["N", 5])]), "onnx/shape-mismatch", "error",
         "m", CFG, 5),
    # ensembles: a (X->Y), b (Y->Z), ensemble e (IN -a-> mid -b-> OUT); step 1 starts on line 12, step 2 on 18
    Case("ensemble-no-steps", {**chain_repo(), "e/config.pbtxt": 'name: "e"\nplatform: "ensemble"\n'},
         "ensemble/no-steps", "error", "e", "e/config.pbtxt", 2),
    Case("ensemble-scheduling-on-python", {**chain_repo(), CFG: python_config("m", extra=(
         'ensemble_scheduling { step [ { model_name: "a" model_version: -1 input_map { key: "X" value: "X" } '
         'output_map { key: "Y" value: "Y" } } ] }\n')), "m/1/model.py": PY_MODEL},
         "config/ensemble-platform", "error", "m", CFG, 10, 'platform: "ensemble"'),
    Case("ensemble-forbidden", ens([A, B], extra="instance_group [ { kind: KIND_CPU } ]\n"),
         "config/ensemble-forbidden-field", "error", "e", "e/config.pbtxt", 26),
    Case("ensemble-no-version-dir", {**chain_repo(), "e/1/": None}, "layout/no-version", "error", "e", "e/", None,
         "e/1/"),
    Case("ensemble-step-model", ens([step("", {"X": "IN"}, {"Y": "mid"}), B]), "ensemble/step-model", "error", "e",
         "e/config.pbtxt", 12),
    Case("ensemble-empty-map", ens([step("a", {"X": "IN"}, {}), B]), "ensemble/empty-map", "error", "e",
         "e/config.pbtxt", 12, also=("ensemble/tensor-not-produced",)),
    Case("ensemble-fed-twice", ens([A.replace('value: "IN" }', 'value: "IN" }\n      input_map { key: "X" value: '
                                              '"IN" }'), B]),
         "ensemble/input-fed-twice", "error", "e", "e/config.pbtxt", 15),
    Case("ensemble-version-omitted", ens([step("a", {"X": "IN"}, {"Y": "mid"}, version=None), B]),
         "ensemble/model-version", "error", "e", "e/config.pbtxt", 12, "model_version: -1"),
    Case("ensemble-version-missing", ens([step("a", {"X": "IN"}, {"Y": "mid"}, version=2), B]),
         "ensemble/model-version", "error", "e", "e/config.pbtxt", 14),
    Case("ensemble-unknown-model", ens([step("aa", {"X": "IN"}, {"Y": "mid"}), B]), "ensemble/unknown-model",
         "error", "e", "e/config.pbtxt", 13, "did you mean 'a'"),
    Case("ensemble-unknown-key", ens([step("a", {"X": "IN", "W": "IN"}, {"Y": "mid"}), B]),
         "ensemble/unknown-tensor", "error", "e", "e/config.pbtxt", 16),
    Case("ensemble-input-not-fed", {**ens([A, B]), **python_model("a", inputs=(("X", FP32, [4]), ("X2", FP32, [4])))},
         "ensemble/input-not-fed", "error", "e", "e/config.pbtxt", 12, 'key: "X2"'),
    Case("ensemble-max-batch", ens([A, B], mbs=16), "ensemble/max-batch-size", "error", "e", "e/config.pbtxt", 3),
    Case("ensemble-produced-twice", ens([A, B, A]), "ensemble/tensor-produced-twice", "error", "e",
         "e/config.pbtxt", 28),  # the output_map of step 3, the second writer
    Case("ensemble-not-produced", ens([A, step("b", {"Y": "mdi"}, {"Z": "OUT"})]), "ensemble/tensor-not-produced",
         "error", "e", "e/config.pbtxt", 21, "did you mean 'mid'", also=("ensemble/unused-tensor",)),
    Case("ensemble-output-not-written", ens([A, B], outputs=(("OUT", FP32, [4]), ("OUT2", FP32, [4]))),
         "ensemble/output-not-produced", "error", "e", "e/config.pbtxt", 9),
    Case("ensemble-dtype", {**ens([A, B]), **python_model("b", inputs=(("Y", "TYPE_INT32", [4]),),
                                                          outputs=(("Z", FP32, [4]),))},
         "ensemble/dtype-mismatch", "error", "e", "e/config.pbtxt", 18, "data types agree"),
    Case("ensemble-shape", {**ens([A, B]), **python_model("b", inputs=(("Y", FP32, [5]),),
                                                          outputs=(("Z", FP32, [4]),))},
         "ensemble/shape-mismatch", "error", "e", "e/config.pbtxt", 18),
    Case("ensemble-unused-input", ens([A, B], inputs=(("IN", FP32, [4]), ("SPARE", FP32, [4]))),
         "ensemble/unused-input", "error", "e", "e/config.pbtxt", 6),
    Case("ensemble-unused-tensor", {**ens([step("a", {"X": "IN"}, {"Y": "mid", "AUX": "aux"}), B]),
                                    **python_model("a", outputs=(("Y", FP32, [4]), ("AUX", FP32, [4])))},
         "ensemble/unused-tensor", "error", "e", "e/config.pbtxt", 17, "need not be mapped"),
    Case("ensemble-cycle", ens([step("a", {"X": "t2"}, {"Y": "t1"}), step("b", {"Y": "t1"}, {"Z": "t2"}),
                                step("b", {"Y": "IN"}, {"Z": "OUT"})]),
         "ensemble/cycle", "error", "e", "e/config.pbtxt", 12, "DAG"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(tmp_path, case: Case):
    files = {k: v for k, v in case.files.items() if v is not None}
    root = write_repo(tmp_path / "repo", files)
    findings = lint_repository(root, digest=False).findings
    matching = [f for f in findings if f.rule == case.rule]
    assert matching, f"expected {case.rule}, got {[(f.rule, f.message) for f in findings]}"
    found = matching[0]
    assert (found.severity, found.model, found.path, found.line) == (case.severity, case.model, case.path, case.line), (
        found
    )
    assert case.hint in found.hint, found.hint
    assert found.message and found.hint
    unexpected = {f.rule for f in findings} - {case.rule, *case.also}
    assert not unexpected, [f for f in findings if f.rule in unexpected]
