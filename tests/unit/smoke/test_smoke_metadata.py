"""Served metadata vs config.pbtxt."""

from __future__ import annotations

from tritonship.repository.config import TensorSpec
from tritonship.smoke.metadata import compare_metadata

INPUTS = [TensorSpec("X", "FP32", (4,))]
OUTPUTS = [TensorSpec("Y", "FP32", (4,))]


def served(shape, dtype="FP32", extra=()):
    return {"inputs": [{"name": "X", "datatype": dtype, "shape": shape}],
            "outputs": [{"name": "Y", "datatype": "FP32", "shape": shape}, *extra]}


def test_agreeing_metadata_has_no_problems():
    assert compare_metadata(INPUTS, OUTPUTS, 8, served([-1, 4])) == []
    assert compare_metadata(INPUTS, OUTPUTS, 0, served([4])) == []


def test_differences_are_named():
    problems = compare_metadata(INPUTS, OUTPUTS, 8, served([4], "FP16", [{"name": "Z", "datatype": "FP32"}]))
    assert "input X: server says FP16, config.pbtxt says FP32" in problems
    assert "input X: server shape [4], config.pbtxt shape [-1, 4]" in problems
    assert "server has output Z that config.pbtxt does not declare" in problems
    assert compare_metadata(INPUTS, OUTPUTS, 8, {"inputs": [], "outputs": []}) == [
        "config.pbtxt input X is not served", "config.pbtxt output Y is not served"]
