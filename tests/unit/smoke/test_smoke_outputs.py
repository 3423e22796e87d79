"""Output checks: present, configured dtype, consistent shape, finite."""

from __future__ import annotations

import numpy as np

from tritonship.repository.config import TensorSpec
from tritonship.smoke.outputs import check_outputs

Y = TensorSpec("Y", "FP32", (-1, 3))
TEXT = TensorSpec("T", "BYTES", (1,))


def test_a_good_response_has_no_problems():
    arrays = {"Y": np.zeros((2, 5, 3), np.float32), "T": np.array([[b"a"], [b"b"]], dtype=object)}
    assert check_outputs([Y, TEXT], arrays, batch=2) == []


def test_missing_wrong_dtype_and_wrong_shape_are_named():
    problems = check_outputs([Y, TEXT], {"Y": np.zeros((2, 5, 4), np.float64)}, batch=2)
    assert "output T missing from the response" in problems
    assert any("data type float64, config says FP32" in p for p in problems)
    assert any("shape [2, 5, 4], config says [2, -1, 3]" in p for p in problems)


def test_batch_dimension_must_match_the_request():
    assert check_outputs([Y], {"Y": np.zeros((1, 5, 3), np.float32)}, batch=4)
    assert check_outputs([TensorSpec("Y", "FP16", (2, 4))], {"Y": np.zeros((2, 4), np.float16)}, batch=None) == []


def test_nan_and_inf_are_reported_with_their_first_index():
    values = np.zeros((1, 2, 3), np.float32)
    values[0, 1, 2] = np.nan
    values[0, 0, 0] = np.inf
    (problem,) = check_outputs([Y], {"Y": values}, batch=1)
    assert "2 non-finite" in problem and "first at index [0, 0, 0]" in problem


def test_optional_outputs_may_be_absent_and_integers_are_not_finite_checked():
    optional = TensorSpec("O", "INT32", (1,), optional=True)
    assert check_outputs([optional], {}, batch=1) == []
    assert check_outputs([TensorSpec("I", "INT32", (1,))], {"I": np.array([[7]], np.int32)}, batch=1) == []
