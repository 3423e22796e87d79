"""The request a load level sends: generated from the model config, or the user's data.

User data: a perf_analyzer-style JSON file (`{"data": [{"INPUT0": [...] | {"content": [...], "shape": [...]}}]}`,
first entry used) or a directory with one `<input name>.npy` per input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tritonship.errors import BadInput


def request_arrays(config: Any, batch: int, input_data: str | None, shapes: Mapping[str, Sequence[int]],
                   ) -> dict[str, tuple[Any, str]]:
    """name -> (numpy array, protocol dtype) for one request."""
    from tritonship.repository.config import tensor_specs
    from tritonship.triton.inputs import NUMPY_DTYPE, generate_inputs, input_shapes

    if int(config.max_batch_size) == 0 and batch != 1:  # Triton would ignore it while throughput counted it
        raise BadInput(f"model {config.name!r} does not batch (max_batch_size 0): --batch {batch} must be 1")
    specs = {spec.name: spec for spec in tensor_specs(config, "input")}
    if input_data is None:
        arrays = generate_inputs(config, batch, shapes)
    else:
        full = input_shapes(config, batch, shapes)
        arrays = _user_arrays(Path(input_data), specs, full, NUMPY_DTYPE)
    return {name: (arrays[name], specs[name].dtype) for name in specs if name in arrays}


def _user_arrays(path: Path, specs: dict, shapes: dict[str, list[int]], numpy_dtype: dict[str, str]) -> dict:
    import numpy as np

    if path.is_dir():
        out = {}
        for name in specs:
            file = path / f"{name}.npy"
            if not file.is_file():
                raise BadInput(f"--input-data {path}: no {name}.npy for input {name!r}")
            try:
                out[name] = np.load(file, allow_pickle=False)
            except (OSError, ValueError, EOFError) as exc:  # not a .npy, truncated, or pickled objects
                raise BadInput(f"--input-data {file}: not a readable .npy array ({exc})") from exc
        return out
    if not path.is_file():
        raise BadInput(f"--input-data {path}: no such file or directory")
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["data"]
        first = entries[0]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise BadInput(f"--input-data {path}: expected JSON like {{\"data\": [{{\"INPUT\": [...]}}]}} ({exc})") from exc
    out = {}
    for name, spec in specs.items():
        if name not in first:
            raise BadInput(f"--input-data {path}: the first entry has no input {name!r}")
        value = first[name]
        content = value.get("content") if isinstance(value, dict) else value
        shape = value.get("shape") if isinstance(value, dict) else None
        dtype = numpy_dtype[spec.dtype]
        try:
            array = np.array(content, dtype=object if dtype == "object" else dtype)
            if dtype == "object":
                array = np.vectorize(lambda v: v.encode() if isinstance(v, str) else v, otypes=[object])(array)
            out[name] = array.reshape(shapes[name] if shape is None else shape)
        except (ValueError, TypeError) as exc:
            raise BadInput(f"--input-data {path}: input {name!r} does not fit shape {shapes[name]}: {exc}") from exc
    return out
