"""Pure checks of one inference response against the model config: present, dtype, shape, finite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tritonship.repository.config import TensorSpec

FLOAT_TYPES = ("FP16", "FP32", "FP64", "BF16")
_NUMPY_KIND = {
    "BOOL": ("bool",), "UINT8": ("uint8",), "UINT16": ("uint16",), "UINT32": ("uint32",), "UINT64": ("uint64",),
    "INT8": ("int8",), "INT16": ("int16",), "INT32": ("int32",), "INT64": ("int64",),
    "FP16": ("float16",), "FP32": ("float32",), "FP64": ("float64",), "BF16": ("bfloat16", "float32"),
    "BYTES": ("object", "bytes"),
}


def expected_shape(spec: TensorSpec, batch: int | None) -> list[int]:
    """Configured shape with the batch dimension in front (batch None: the model does not batch)."""
    return list(spec.dims) if batch is None else [batch, *spec.dims]


def shape_problem(name: str, want: Sequence[int], got: Sequence[int]) -> str | None:
    if len(want) != len(got) or any(w >= 0 and w != g for w, g in zip(want, got, strict=False)):
        return f"output {name} has shape {list(got)}, config says {list(want)}"
    return None


def dtype_problem(name: str, want: str, array: Any) -> str | None:
    kind = array.dtype.name
    if kind.startswith("bytes") or kind.startswith("str"):
        kind = "bytes"
    if kind not in _NUMPY_KIND.get(want, (kind,)):
        return f"output {name} has data type {kind}, config says {want}"
    return None


def finite_problem(name: str, dtype: str, array: Any) -> str | None:
    import numpy as np

    if dtype not in FLOAT_TYPES:
        return None
    values = np.asarray(array, dtype=np.float64)
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    count = int(bad.sum())
    return f"output {name} has {count} non-finite value(s) (NaN/inf); first at index {list(first)}: {values[first]}"


def check_outputs(specs: Sequence[TensorSpec], arrays: Mapping[str, Any], batch: int | None) -> list[str]:
    """Every configured output present, of its type and shape, and finite."""
    problems = []
    for spec in specs:
        array = arrays.get(spec.name)
        if array is None:
            if not spec.optional:
                problems.append(f"output {spec.name} missing from the response")
            continue
        for problem in (
            dtype_problem(spec.name, spec.dtype, array),
            shape_problem(spec.name, expected_shape(spec, batch), array.shape),
            finite_problem(spec.name, spec.dtype, array),
        ):
            if problem:
                problems.append(problem)
    return problems
