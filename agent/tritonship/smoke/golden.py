"""Golden cases: known inputs and expected outputs per model, compared with tolerances.

Layout: GOLDEN_DIR/<model>/<case>.npz or <case>.json
- npz: arrays named `input:<NAME>` and `expected:<NAME>`; optional scalars `rtol`, `atol`.
- json: {"inputs": {NAME: nested list}, "expected": {NAME: nested list}, "rtol": 1e-3, "atol": 1e-5}
  (data types come from the model config; BYTES values are strings).
Floats compare with |got - expected| <= atol + rtol * |expected|; other types exactly.
A mismatch names the worst element: its index, both values and the difference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tritonship.errors import BadInput

FLOAT_KINDS = "fc"


@dataclass(frozen=True)
class GoldenCase:
    name: str
    inputs: dict[str, Any]
    expected: dict[str, Any]
    rtol: float | None = None
    atol: float | None = None
    source: str = field(default="", compare=False)


def load_cases(directory: Path, model: str, input_dtypes: Mapping[str, str]) -> list[GoldenCase]:
    """The model's golden cases (none when it has no folder); BadInput for unreadable files."""
    folder = Path(directory) / model
    if not folder.is_dir():
        return []
    cases = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".npz":
            cases.append(_load_npz(path))
        elif path.suffix == ".json":
            cases.append(_load_json(path, input_dtypes))
    return cases


def _load_npz(path: Path) -> GoldenCase:
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError) as exc:
        raise BadInput(f"{path}: cannot read golden case: {exc}") from exc
    inputs = {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith("input:")}
    expected = {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith("expected:")}
    if not inputs or not expected:
        raise BadInput(f"{path}: a golden npz needs arrays named 'input:<NAME>' and 'expected:<NAME>'")
    return GoldenCase(path.stem, inputs, expected, _tolerance(path, "rtol", arrays.get("rtol")),
                      _tolerance(path, "atol", arrays.get("atol")), str(path))


def _tolerance(path: Path, name: str, value: Any) -> float | None:
    """None, or a finite number >= 0; anything else is a malformed case (exit 2), not a failed comparison."""
    import math

    if value is None:
        return None
    try:
        number = float(value) if not isinstance(value, (bool, str)) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise BadInput(f"{path}: {name} must be a number >= 0, got {value!r}")
    return number


def _load_json(path: Path, input_dtypes: Mapping[str, str]) -> GoldenCase:
    from tritonship.boundary import parsing, read_text_input

    text = read_text_input(path, "golden case")
    try:
        with parsing(path, "golden case"):
            doc = json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{path}: cannot read golden case: {exc}") from exc
    if not (isinstance(doc, dict) and isinstance(doc.get("inputs"), dict) and isinstance(doc.get("expected"), dict)):
        raise BadInput(f"{path}: a golden JSON case is an object with 'inputs' and 'expected' objects")
    unknown = sorted(set(doc["inputs"]) - set(input_dtypes))
    if unknown:
        raise BadInput(f"{path}: inputs {unknown} are not inputs of the model ({sorted(input_dtypes)})")
    inputs = {name: _array(path, name, value, input_dtypes[name]) for name, value in doc["inputs"].items()}
    expected = {name: _array(path, name, value, None) for name, value in doc["expected"].items()}
    return GoldenCase(path.stem, inputs, expected, _tolerance(path, "rtol", doc.get("rtol")),
                      _tolerance(path, "atol", doc.get("atol")), str(path))


def _array(path: Path, name: str, value: Any, dtype: str | None):
    """to_array, with a value the dtype cannot hold (a string for FP32, a ragged list) as bad input."""
    try:
        return to_array(value, dtype)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadInput(f"{path}: {name}: not a tensor of {dtype or 'numbers or strings'}: {str(exc)[:120]}") from None


def to_array(value: Any, dtype: str | None):
    """A JSON nested list as a numpy array of the protocol dtype (None: infer; strings become BYTES)."""
    import numpy as np

    from tritonship.triton.inputs import NUMPY_DTYPE, as_bf16

    array = np.array(value)
    if dtype == "BYTES" or array.dtype.kind == "U":
        return np.vectorize(lambda s: s if isinstance(s, bytes) else str(s).encode(), otypes=[object])(array)
    if dtype == "BF16":
        return as_bf16(array.astype(np.float32))
    return array.astype(NUMPY_DTYPE[dtype]) if dtype else array


def compare(name: str, expected: Any, actual: Any, rtol: float, atol: float) -> str | None:
    """None when `actual` matches, else one line naming the worst element."""
    import numpy as np

    if actual is None:
        return f"output {name} missing"
    if tuple(actual.shape) != tuple(expected.shape):
        return f"output {name} has shape {list(actual.shape)}, golden expects {list(expected.shape)}"
    if np.asarray(expected).dtype.kind in FLOAT_KINDS or _is_float(actual):
        return _compare_float(name, np.asarray(expected, np.float64), np.asarray(actual, np.float64), rtol, atol)
    return _compare_exact(name, _normalise(expected), _normalise(actual))


def _is_float(array) -> bool:
    return array.dtype.kind in FLOAT_KINDS or array.dtype.name == "bfloat16"


def _compare_float(name: str, want, got, rtol: float, atol: float) -> str | None:
    import numpy as np

    excess = np.abs(got - want) - (atol + rtol * np.abs(want))
    excess = np.where(np.isnan(excess), np.inf, excess)
    bad = excess > 0
    if not bad.any():
        return None
    worst = np.unravel_index(int(np.argmax(excess)), want.shape) if want.ndim else ()
    idx = [int(i) for i in worst]
    return (f"output {name} differs from golden at index {idx}: got {got[worst]!r}, expected {want[worst]!r} "
            f"(|diff| {abs(got[worst] - want[worst]):.6g} > atol {atol:g} + rtol {rtol:g}*|expected|); "
            f"{int(bad.sum())} of {want.size} elements outside tolerance")


def _compare_exact(name: str, want, got) -> str | None:
    import numpy as np

    bad = want != got
    if not np.any(bad):
        return None
    first = tuple(int(i) for i in np.argwhere(bad)[0]) if want.ndim else ()
    return (f"output {name} differs from golden at index {list(first)}: got {got[first]!r}, "
            f"expected {want[first]!r}; {int(np.sum(bad))} of {want.size} elements differ")


def _normalise(array):
    import numpy as np

    array = np.asarray(array)
    if array.dtype.kind in "OUS":
        return np.vectorize(lambda s: s if isinstance(s, bytes) else str(s).encode(), otypes=[object])(array)
    return array
