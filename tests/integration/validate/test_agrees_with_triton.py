"""Differential test: what `validate` says about each model is what the real Triton 2.51 does with it.

One repository holds valid-but-unusual and broken python-backend models (one mistake each); one CPU
tritonserver loads it (failed loads do not stop it) and its repository index says which models are
READY (models whose directory fails the poll are absent from the index). A model with a lint error
must fail to load; a model without one (warnings and notes allowed) must load.

CONFORMANCE adds the cases of the conformance corpus (tests/unit/repository/test_conformance.py) that
this server can load — python backend and ensembles: backend inference, no config.pbtxt, configs
without tensors, python auto_complete_config, ensembles of ensembles, decoupled models, cross-ensemble
cycles, decoupled branching, ensembles over failing or missing models. (model_metrics is not in 2.51's
ModelConfig, so those cases are checked by the unit corpus only.)
"""

from __future__ import annotations

import pytest
from tests.unit.repository.builders import (
    PY_MODEL,
    ensemble_model,
    python_config,
    python_model,
    step,
    write_repo,
)
from tests.unit.repository.test_conformance import AUTO_PY, DECOUPLED

from tritonship.repository.lint import lint_repository

pytestmark = pytest.mark.integration
FP32 = "TYPE_FP32"


def cfg(name: str, transform=lambda text: text, **kwargs) -> dict:
    return python_model(name, transform(python_config(name, **kwargs)))


MODELS = {
    # valid, some with warnings: must load
    "ok_plain": cfg("ok_plain"),
    "ok_version_zero": {**cfg("ok_version_zero"), "ok_version_zero/0/model.py": PY_MODEL},
    "ok_variable_unbatched": cfg("ok_variable_unbatched", mbs=0, inputs=(("X", FP32, [-1, -1]),),
                                 outputs=(("Y", FP32, [-1]),)),
    "ok_reshape": cfg("ok_reshape", lambda t: t.replace("dims: [4] }", "dims: [4] reshape: { shape: [2, 2] } }", 1)),
    "ok_specific": {**cfg("ok_specific", extra="version_policy { specific { versions: [ 2 ] } }\n"),
                    "ok_specific/2/model.py": PY_MODEL},
    "ok_priorities": cfg("ok_priorities", extra="dynamic_batching { preferred_batch_size: [ 2, 4 ] priority_levels: 2"
                                                 " default_priority_level: 1 }\n"),
    "ok_ensemble_unmapped_output": {
        **cfg("two_out", outputs=(("Y", FP32, [4]), ("AUX", FP32, [4]))),
        **ensemble_model("ok_ensemble_unmapped_output", [step("two_out", {"X": "IN"}, {"Y": "OUT"})]),
    },
    "ok_batching_ensemble_unbatched_step": {
        **cfg("unbatched", mbs=0, inputs=(("X", FP32, [2, 4]),), outputs=(("Y", FP32, [2, 4]),)),
        **ensemble_model("ok_batching_ensemble_unbatched_step", [step("unbatched", {"X": "IN"}, {"Y": "OUT"})]),
    },
    # broken: must fail to load
    "bad_name": python_model("bad_name", python_config("bad_name_v2")),
    "bad_no_version": {"bad_no_version/config.pbtxt": python_config("bad_no_version")},
    # (no "missing model.py" case: Triton 2.51's python backend then hangs the whole load instead of failing)
    "bad_syntax": {"bad_syntax/config.pbtxt": python_config("bad_syntax"), "bad_syntax/1/model.py": "def f(:\n"},
    "bad_no_class": {"bad_no_class/config.pbtxt": python_config("bad_no_class"), "bad_no_class/1/model.py": "x = 1\n"},
    "bad_preferred": cfg("bad_preferred", extra="dynamic_batching { preferred_batch_size: [ 16 ] }\n"),
    "bad_zero_dim": cfg("bad_zero_dim", inputs=(("X", FP32, [0]),)),
    "bad_reshape": cfg("bad_reshape", lambda t: t.replace("dims: [4] }", "dims: [4] reshape: { shape: [3] } }", 1)),
    "bad_placeholder": cfg("bad_placeholder", lambda t: t.replace("max_batch_size: 8", "max_batch_size: {{ mbs }}")),
    "bad_missing_version": cfg("bad_missing_version", extra="version_policy { specific { versions: [ 3 ] } }\n"),
    "bad_ensemble_unused_tensor": {
        **cfg("two_out", outputs=(("Y", FP32, [4]), ("AUX", FP32, [4]))),
        **ensemble_model("bad_ensemble_unused_tensor", [step("two_out", {"X": "IN"}, {"Y": "OUT", "AUX": "aux"})]),
    },
    "bad_ensemble_dtype": {
        **cfg("int_in", inputs=(("X", "TYPE_INT32", [4]),)),
        **ensemble_model("bad_ensemble_dtype", [step("int_in", {"X": "IN"}, {"Y": "OUT"})]),
    },
    "bad_ensemble_output": ensemble_model("bad_ensemble_output", [step("ok_plain", {"X": "IN"}, {"Y": "OUT"})],
                                          outputs=(("OUT", FP32, [4]), ("MISSING", FP32, [4]))),
    "bad_ensemble_version": ensemble_model("bad_ensemble_version",
                                           [step("ok_plain", {"X": "IN"}, {"Y": "OUT"}, version=None)]),
    "bad_ensemble_unknown_model": ensemble_model("bad_ensemble_unknown_model",
                                                 [step("nowhere", {"X": "IN"}, {"Y": "OUT"})]),
    "bad_ensemble_batch": {
        **cfg("small_batch", mbs=2),
        **ensemble_model("bad_ensemble_batch", [step("small_batch", {"X": "IN"}, {"Y": "OUT"})]),
    },
    "bad_ensemble_unused_input": ensemble_model("bad_ensemble_unused_input",
                                                [step("ok_plain", {"X": "IN"}, {"Y": "OUT"})],
                                                inputs=(("IN", FP32, [4]), ("SPARE", FP32, [4]))),
}


TWO_IN = (("X", FP32, [4]), ("X2", FP32, [4]))
CONFORMANCE = {
    "ok_no_config": {"ok_no_config/1/model.py": PY_MODEL},
    "ok_backend_inferred": {"ok_backend_inferred/config.pbtxt": python_config("ok_backend_inferred").replace(
        'backend: "python"\n', ""), "ok_backend_inferred/1/model.py": PY_MODEL},
    "ok_no_tensors": {"ok_no_tensors/config.pbtxt": 'backend: "python"\n', "ok_no_tensors/1/model.py": PY_MODEL},
    "ok_auto_complete": {"ok_auto_complete/config.pbtxt": 'backend: "python"\n',
                         "ok_auto_complete/1/model.py": AUTO_PY},
    "ok_negative_count": cfg("ok_negative_count", extra="instance_group [ { count: -1 kind: KIND_CPU } ]\n"),
    "ok_ensemble_of_ensembles": {
        **ensemble_model("ok_inner", [step("ok_plain", {"X": "IN"}, {"Y": "OUT"})]),
        **ensemble_model("ok_ensemble_of_ensembles", [step("ok_inner", {"IN": "IN"}, {"OUT": "mid"}),
                                                      step("ok_inner", {"IN": "mid"}, {"OUT": "OUT"})]),
    },
    "ok_inner": {},
    "ok_ensemble_over_auto_complete": {
        "completes/config.pbtxt": 'backend: "python"\nmax_batch_size: 8\n'
                                  'output [ { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]\n',
        "completes/1/model.py": AUTO_PY,
        **ensemble_model("ok_ensemble_over_auto_complete", [step("completes", {"X": "IN"}, {"Y": "OUT"})]),
    },
    "ok_decoupled_chain": {
        **cfg("gen", extra=DECOUPLED),
        **ensemble_model("ok_decoupled_chain", [step("gen", {"X": "IN"}, {"Y": "t"}),
                                                step("ok_plain", {"X": "t"}, {"Y": "OUT"})]),
    },
    "ok_duplicate_input": cfg("ok_duplicate_input", inputs=(("X", FP32, [4]), ("X", FP32, [4]))),
    "ok_empty_config": {"ok_empty_config/config.pbtxt": "", "ok_empty_config/1/model.py": PY_MODEL},
    "ok_dot.python": {"ok_dot.python/config.pbtxt": "", "ok_dot.python/1/model.py": PY_MODEL},
    "ok_count_zero": cfg("ok_count_zero", extra="instance_group [ { count: 0 kind: KIND_CPU } ]\n"),
    "ok_pinned_version": {
        **cfg("all_versions", extra="version_policy { all { } }\n"), "all_versions/2/model.py": PY_MODEL,
        **ensemble_model("ok_pinned_version", [step("all_versions", {"X": "IN"}, {"Y": "OUT"}, version=1)]),
    },
    "bad_unloaded_version": {
        **cfg("two_versions"), "two_versions/2/model.py": PY_MODEL,
        **ensemble_model("bad_unloaded_version", [step("two_versions", {"X": "IN"}, {"Y": "OUT"}, version=1)]),
    },
    "bad_sequence_cache": cfg("bad_sequence_cache", extra="sequence_batching { }\nresponse_cache { enable: true }\n"),
    "bad_decoupled_cache": cfg("bad_decoupled_cache", extra=DECOUPLED + "response_cache { enable: true }\n"),
    "ok_cc_ignored": cfg("ok_cc_ignored", extra='cc_model_filenames { key: "7.5" value: "model_t4.py" }\n'),
    "ok_only_version_zero": {"ok_only_version_zero/config.pbtxt": python_config("ok_only_version_zero"),
                             "ok_only_version_zero/0/model.py": PY_MODEL},
    "bad_empty_name": cfg("bad_empty_name", inputs=(("", FP32, [4]),)),
    "bad_no_dtype": cfg("bad_no_dtype", inputs=(("X", "TYPE_INVALID", [4]),)),
    "bad_nhwc_rank": cfg("bad_nhwc_rank", lambda t: t.replace("dims: [4] }", "dims: [4] format: FORMAT_NHWC }", 1)),
    "bad_shape_tensor": cfg("bad_shape_tensor", lambda t: t.replace("dims: [4] }", "dims: [4] is_shape_tensor: true }",
                                                                    1)),
    "bad_profile": cfg("bad_profile", extra='instance_group [ { kind: KIND_CPU profile: [ "0" ] } ]\n'),
    "bad_latest_zero": cfg("bad_latest_zero", extra="version_policy { latest { num_versions: 0 } }\n"),
    "bad_oldest_preferred": cfg("bad_oldest_preferred", mbs=4,
                                extra="sequence_batching { oldest { preferred_batch_size: [ 8 ] } }\n"),
    "bad_ensemble_no_version_dir": {"bad_ensemble_no_version_dir/config.pbtxt": ensemble_model(
        "bad_ensemble_no_version_dir", [step("ok_plain", {"X": "IN"}, {"Y": "OUT"})])[
        "bad_ensemble_no_version_dir/config.pbtxt"]},
    "bad_cycle_a": {**ensemble_model("bad_cycle_a", [step("bad_cycle_b", {"IN": "IN"}, {"OUT": "OUT"})]),
                    **ensemble_model("bad_cycle_b", [step("bad_cycle_a", {"IN": "IN"}, {"OUT": "OUT"})])},
    "bad_cycle_b": {},
    "bad_self_cycle": ensemble_model("bad_self_cycle", [step("ok_plain", {"X": "IN"}, {"Y": "t"}),
                                                        step("bad_self_cycle", {"IN": "t"}, {"OUT": "OUT"})]),
    "bad_decoupled_branching": {
        **cfg("gen", extra=DECOUPLED), **cfg("two", inputs=TWO_IN),
        **ensemble_model("bad_decoupled_branching", [step("gen", {"X": "IN"}, {"Y": "t1"}),
                                                     step("gen", {"X": "IN"}, {"Y": "t2"}),
                                                     step("two", {"X": "t1", "X2": "t2"}, {"Y": "OUT"})]),
    },
    "bad_missing_step_model": ensemble_model("bad_missing_step_model", [
        step("ok_plain", {"X": "IN"}, {"Y": "mid"}), step("gone", {"Y": "nope"}, {"Z": "OUT"})]),
    "bad_over_failing_model": ensemble_model("bad_over_failing_model",
                                             [step("bad_preferred", {"X": "IN"}, {"Y": "OUT"})]),
    "bad_no_backend": {"bad_no_backend/1/weights.bin": b"\0"},
    "bad_python_no_dims": cfg("bad_python_no_dims", inputs=(("X", FP32, []),)),
    "bad_negative_gpu": cfg("bad_negative_gpu", extra="instance_group [ { kind: KIND_GPU gpus: [ -1 ] } ]\n"),
}
MODELS.update(CONFORMANCE)


@pytest.fixture(scope="module")
def triton_verdicts(tmp_path_factory):
    from tritonship.triton.launcher import launch_local

    files: dict = {}
    for model_files in MODELS.values():
        files.update(model_files)
    root = write_repo(tmp_path_factory.mktemp("agree") / "repo", files)
    lint = lint_repository(root, digest=False)
    with launch_local(root, strict_readiness=False, timeout=240) as server:
        states = {entry.name: (entry.state, entry.reason) for entry in server.index}
    return lint, states


@pytest.mark.parametrize("model", sorted(MODELS))
def test_validate_agrees_with_triton(triton_verdicts, model):
    lint, states = triton_verdicts
    errors = [f for f in lint.findings if f.model == model and f.severity == "error"]
    state, reason = states.get(model, ("(not in index)", ""))
    loaded = state == "READY"
    assert model.startswith("ok_") == loaded, f"Triton: {state} {reason}"
    assert (not errors) == loaded, f"Triton: {state} {reason}; lint: {[(f.rule, f.message) for f in errors]}"
