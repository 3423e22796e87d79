"""Pure comparison of the server's model metadata with the repository's config.pbtxt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tritonship.repository.config import TensorSpec


def compare_metadata(inputs: Sequence[TensorSpec], outputs: Sequence[TensorSpec], max_batch_size: int,
                     metadata: Mapping[str, Any]) -> list[str]:
    """Differences between config.pbtxt tensors and what the server reports (/v2/models/{m})."""
    problems = []
    for kind, specs in (("input", inputs), ("output", outputs)):
        served = {t.get("name"): t for t in metadata.get(f"{kind}s", [])}
        for spec in specs:
            tensor = served.pop(spec.name, None)
            if tensor is None:
                problems.append(f"config.pbtxt {kind} {spec.name} is not served")
                continue
            problems += _tensor_problems(kind, spec, max_batch_size, tensor)
        problems += [f"server has {kind} {name} that config.pbtxt does not declare" for name in served]
    return problems


def _tensor_problems(kind: str, spec: TensorSpec, max_batch_size: int, tensor: Mapping[str, Any]) -> list[str]:
    problems = []
    if tensor.get("datatype") != spec.dtype:
        problems.append(f"{kind} {spec.name}: server says {tensor.get('datatype')}, config.pbtxt says {spec.dtype}")
    want = ([-1] if max_batch_size > 0 else []) + list(spec.dims)
    got = [int(d) for d in tensor.get("shape", [])]
    if got != want:
        problems.append(f"{kind} {spec.name}: server shape {got}, config.pbtxt shape {want}")
    return problems
