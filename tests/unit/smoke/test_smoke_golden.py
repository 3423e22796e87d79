"""Golden cases: loading npz/JSON and comparing with tolerances (worst element named)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tritonship.errors import BadInput
from tritonship.smoke.golden import compare, load_cases


def test_float_mismatch_names_the_worst_element():
    want = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    got = want.copy()
    got[0, 1] += 0.01
    got[1, 2] += 0.5
    problem = compare("Y", want, got, rtol=1e-5, atol=1e-6)
    assert "index [1, 2]" in problem and "got 6.5" in problem and "expected 6.0" in problem
    assert "2 of 6 elements" in problem
    assert compare("Y", want, got, rtol=0.0, atol=0.6) is None


def test_nan_never_matches_and_shapes_must_agree():
    assert "index [0]" in compare("Y", np.array([1.0]), np.array([np.nan]), 1e-5, 1e-6)
    assert "shape [2]" in compare("Y", np.zeros(3), np.zeros(2), 1e-5, 1e-6)
    assert compare("Y", np.zeros(3), None, 1e-5, 1e-6) == "output Y missing"


def test_bytes_and_integers_compare_exactly():
    assert compare("T", np.array([["ABC"]]), np.array([[b"ABC"]], dtype=object), 0, 0) is None
    assert "got b'ABX'" in compare("T", np.array([["ABC"]]), np.array([[b"ABX"]], dtype=object), 0, 0)
    assert "1 of 2" in compare("I", np.array([1, 2]), np.array([1, 3], np.int32), 0, 0)


def test_loads_npz_and_json_cases(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    np.savez(folder / "a.npz", **{"input:X": np.ones((1, 2), np.float16), "expected:Y": np.ones((1, 2)),
                                 "rtol": np.array(0.1)})
    (folder / "b.json").write_text(json.dumps({"inputs": {"X": [[1, 2]], "T": [["hi"]]},
                                               "expected": {"Y": [[2, 4]]}, "atol": 0.5}))
    (folder / "notes.txt").write_text("ignored")
    a, b = load_cases(tmp_path, "m", {"X": "FP16", "T": "BYTES"})
    assert (a.name, a.rtol, a.inputs["X"].dtype) == ("a", 0.1, np.float16)
    assert (b.name, b.atol, b.inputs["X"].dtype) == ("b", 0.5, np.float16)
    assert b.inputs["T"][0, 0] == b"hi"
    assert load_cases(tmp_path, "other", {}) == []


@pytest.mark.parametrize("content, message", [
    ("not json", "cannot read"),
    (json.dumps({"inputs": []}), "'inputs' and 'expected'"),
    (json.dumps({"inputs": {"NOPE": [1]}, "expected": {}}), "not inputs of the model"),
])
def test_bad_json_cases_are_bad_input(tmp_path, content, message):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "c.json").write_text(content)
    with pytest.raises(BadInput, match=message):
        load_cases(tmp_path, "m", {"X": "FP32"})


def test_npz_without_prefixed_arrays_is_bad_input(tmp_path):
    (tmp_path / "m").mkdir()
    np.savez(tmp_path / "m" / "c.npz", X=np.ones(2))
    with pytest.raises(BadInput, match="input:<NAME>"):
        load_cases(tmp_path, "m", {"X": "FP32"})


def test_golden_folders_for_unknown_models_are_named(tmp_path):
    from tritonship.smoke.run import unknown_golden_models

    (tmp_path / "add_sub").mkdir()
    (tmp_path / "add_sbu").mkdir()
    (tmp_path / "README.txt").write_text("not a model")
    assert unknown_golden_models(tmp_path, {"add_sub"}) == [f"golden folder {tmp_path / 'add_sbu'} names no model "
                                                            "of the repository"]
