"""Input generation from a model config: every dtype, variable dims, batch handling."""

from __future__ import annotations

import numpy as np
import pytest

from tritonship.errors import BadInput
from tritonship.repository.config import config_to_dict, parse_config_text
from tritonship.triton.inputs import bf16_round, generate_inputs, input_shapes

ALL_TYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
             "FP16", "FP32", "FP64", "BF16", "STRING"]


def config(max_batch: int, inputs: str) -> object:
    return parse_config_text(f'name: "m" backend: "python" max_batch_size: {max_batch}\n{inputs}')


def test_every_dtype_at_batch_one_and_max_batch():
    text = " ".join(f'input {{ name: "{t}" data_type: TYPE_{t} dims: [ 3 ] }}' for t in ALL_TYPES)
    cfg = config(4, text)
    for batch in (1, 4):
        arrays = generate_inputs(cfg, batch)
        assert set(arrays) == set(ALL_TYPES)
        for name, array in arrays.items():
            assert array.shape == (batch, 3), name
    arrays = generate_inputs(cfg, 4)
    assert arrays["BOOL"].dtype == np.bool_
    assert arrays["INT64"].dtype == np.int64 and arrays["UINT16"].dtype == np.uint16
    assert arrays["FP16"].dtype == np.float16 and arrays["FP64"].dtype == np.float64
    assert arrays["BF16"].dtype.name == "bfloat16"
    bf16 = arrays["BF16"].astype(np.float32)
    assert np.array_equal(bf16, bf16_round(bf16))
    assert arrays["STRING"].dtype == object and isinstance(arrays["STRING"][0, 0], bytes)
    assert all(np.isfinite(arrays[t].astype(np.float64)).all() for t in ("FP16", "FP32", "FP64", "BF16"))


def test_variable_dims_from_shapes_or_default():
    cfg = config(8, 'input { name: "X" data_type: TYPE_FP32 dims: [ -1, 3, -1 ] }')
    assert input_shapes(cfg, 2)["X"] == [2, 4, 3, 4]
    assert input_shapes(cfg, 2, default_dim=7)["X"] == [2, 7, 3, 7]
    assert input_shapes(cfg, 1, {"X": [5, 3, 2]})["X"] == [1, 5, 3, 2]


def test_shapes_that_contradict_the_config_are_bad_input():
    cfg = config(8, 'input { name: "X" data_type: TYPE_FP32 dims: [ -1, 3 ] }')
    with pytest.raises(BadInput, match="X"):
        input_shapes(cfg, 1, {"X": [5, 4]})
    with pytest.raises(BadInput, match="2 dims"):
        input_shapes(cfg, 1, {"X": [5]})


def test_non_batching_model_ignores_batch_and_batch_is_bounded():
    cfg = config(0, 'input { name: "X" data_type: TYPE_FP16 dims: [ 2, 4 ] }')
    assert generate_inputs(cfg, 8)["X"].shape == (2, 4)
    with pytest.raises(BadInput, match="outside"):
        generate_inputs(config(4, 'input { name: "X" data_type: TYPE_FP32 dims: [ 1 ] }'), 5)


def test_accepts_the_servers_config_dict_and_is_deterministic():
    cfg = config(8, 'input { name: "X" data_type: TYPE_FP32 dims: [ 4 ] }')
    as_dict = config_to_dict(cfg)
    a, b = generate_inputs(as_dict, 2, seed=3), generate_inputs(cfg, 2, seed=3)
    assert np.array_equal(a["X"], b["X"])
    assert not np.array_equal(a["X"], generate_inputs(cfg, 2, seed=4)["X"])


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_tritonclient_serializes_every_generated_dtype(protocol):
    import importlib

    module = importlib.import_module(f"tritonclient.{protocol}")
    text = " ".join(f'input {{ name: "{t}" data_type: TYPE_{t} dims: [ 2 ] }}' for t in ALL_TYPES)
    for name, array in generate_inputs(config(4, text), 3).items():
        wire = "BYTES" if name == "STRING" else name
        module.InferInput(name, list(array.shape), wire).set_data_from_numpy(array)
