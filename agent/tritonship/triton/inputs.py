"""Generate inference inputs from a model config, for every Triton data type.

Variable dimensions (-1) take their size from `shapes` (per input, the shape without the batch
dimension, as written in tritonship.yaml `smoke.shapes`) or else `default_dim` (4). Batching models
(max_batch_size > 0) get a leading batch dimension of `batch`; others ignore `batch`.
Values are deterministic for a seed and kept small and finite: floats in [0, 1), integers in [0, 8),
BYTES as short UTF-8 strings. BF16 arrays have dtype `ml_dtypes.bfloat16` (what tritonclient >= 2.59
requires; ml_dtypes comes with tritonclient), or float32 holding bf16-exact values when ml_dtypes is absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tritonship.errors import BadInput
from tritonship.repository.config import TensorSpec, config_from_dict, tensor_specs

DEFAULT_DIM = 4

# protocol dtype -> numpy dtype name (BF16 travels as float32; BYTES as numpy object arrays of bytes)
NUMPY_DTYPE = {
    "BOOL": "bool", "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32", "UINT64": "uint64",
    "INT8": "int8", "INT16": "int16", "INT32": "int32", "INT64": "int64",
    "FP16": "float16", "FP32": "float32", "FP64": "float64", "BF16": "float32", "BYTES": "object",
}


def as_config(config: Any):
    """A ModelConfig message from a message or the server's /config JSON dict."""
    return config_from_dict(config) if isinstance(config, Mapping) else config


def resolve_shape(spec: TensorSpec, given: Sequence[int] | None, default_dim: int = DEFAULT_DIM) -> list[int]:
    """The concrete shape (without batch) for one input; BadInput when `given` contradicts the config."""
    if given is None:
        return [default_dim if d < 0 else d for d in spec.dims]
    given = [int(d) for d in given]
    if len(given) != len(spec.dims):
        raise BadInput(f"smoke.shapes: input {spec.name!r} has {len(spec.dims)} dims {list(spec.dims)}, "
                       f"shape given {given}")
    for want, got in zip(spec.dims, given, strict=True):
        if got < 1 or (want >= 0 and want != got):
            raise BadInput(f"smoke.shapes: input {spec.name!r} shape {given} does not fit dims {list(spec.dims)}")
    return given


def input_shapes(config: Any, batch: int, shapes: Mapping[str, Sequence[int]] | None = None,
                 default_dim: int = DEFAULT_DIM) -> dict[str, list[int]]:
    """Full request shapes (with the batch dimension where the model batches) per input name."""
    config = as_config(config)
    shapes = shapes or {}
    batching = int(config.max_batch_size) > 0
    if batching and not 1 <= batch <= int(config.max_batch_size):
        raise BadInput(f"model {config.name!r}: batch {batch} is outside 1..{config.max_batch_size}")
    out = {}
    for spec in tensor_specs(config, "input"):
        shape = resolve_shape(spec, shapes.get(spec.name), default_dim)
        out[spec.name] = [batch, *shape] if batching else shape
    return out


def generate_inputs(config: Any, batch: int, shapes: Mapping[str, Sequence[int]] | None = None,
                    default_dim: int = DEFAULT_DIM, seed: int = 0) -> dict[str, Any]:
    """name -> numpy array for every input of the model (optional ones included)."""
    import numpy as np

    config = as_config(config)
    rng = np.random.default_rng(seed)
    full = input_shapes(config, batch, shapes, default_dim)
    return {spec.name: random_array(spec.dtype, full[spec.name], rng) for spec in tensor_specs(config, "input")}


def random_array(dtype: str, shape: Sequence[int], rng) -> Any:
    import numpy as np

    if dtype not in NUMPY_DTYPE:
        raise BadInput(f"cannot generate inputs of data type {dtype}")
    shape = tuple(shape)
    if dtype == "BOOL":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype == "BYTES":
        count = int(np.prod(shape)) if shape else 1
        words = [f"tritonship-{i}-{int(rng.integers(0, 1000))}".encode() for i in range(count)]
        return np.array(words, dtype=object).reshape(shape)
    if dtype in ("FP16", "FP32", "FP64"):
        return rng.random(size=shape).astype(NUMPY_DTYPE[dtype])
    if dtype == "BF16":
        return as_bf16(bf16_round(rng.random(size=shape).astype(np.float32)))
    return rng.integers(0, 8, size=shape).astype(NUMPY_DTYPE[dtype])


def as_bf16(values):
    """float32 -> ml_dtypes.bfloat16 when available (tritonclient's BF16 serializer wants it)."""
    try:
        import ml_dtypes
    except ImportError:
        return values
    return values.astype(ml_dtypes.bfloat16)


def bf16_round(values):
    """float32 values truncated to what bfloat16 holds exactly (top 16 bits), still as float32."""
    import numpy as np

    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32) & np.uint32(0xFFFF0000)
    return bits.view(np.float32)
