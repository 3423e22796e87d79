"""Input/output rules: names, data types, dims, reshape, formats, and the repeated batch dimension."""

from __future__ import annotations

from math import prod

from tritonship.repository.locate import field_pattern
from tritonship.repository.scan import ModelEntry


def check_tensors(model: ModelEntry) -> None:
    for kind in ("input", "output"):
        seen: set[str] = set()
        for index, tensor in enumerate(getattr(model.config, kind)):
            _check_tensor(model, kind, index, tensor, seen)
    _check_batch_dim(model)


def _incomplete(model: ModelEntry, label: str, what: str, hint: str, at) -> None:
    """A tensor without data_type or dims: Triton's ValidateIOShape ("must specify 'data_type'/'dims'") runs
    on the config *after* the backend's auto-complete, so it is an error only where nothing completes it.
    ONNX models are checked against the model file instead (onnx_check), when tritonship can read it."""
    from tritonship.repository.autocomplete import tensor_completion
    from tritonship.repository.onnx_check import onnx_file

    if model.backend == "onnxruntime" and any(onnx_file(model, v) for v in model.versions):
        return
    severity, why = tensor_completion(model)
    model.report(f"config/tensor-{what}", severity, f"{label} has no {'data_type' if what == 'dtype' else 'dims'}"
                 f": {why}", hint, at)


def _check_tensor(model: ModelEntry, kind: str, index: int, tensor, seen: set[str]) -> None:
    label = f"{kind} {tensor.name!r}" if tensor.name else f"{kind}[{index}]"
    at = model.text.tensor(kind, tensor.name) if tensor.name else model.where(field_pattern(kind))
    if not tensor.name:
        model.report("config/tensor-name", "error", f"{label} has no name", f'give every {kind} a name: "..."', at)
    elif tensor.name in seen:
        model.report("config/tensor-duplicate", "warning", f"{label} is declared twice (Triton core does not refuse "
                     "it, but a request cannot address the two apart)", "tensor names must be unique", at)
    seen.add(tensor.name)
    if tensor.data_type == 0:
        _incomplete(model, label, "dtype", "set data_type, e.g. TYPE_FP32, TYPE_INT64, TYPE_STRING", at)
    dims = list(tensor.dims)
    dims_at = model.text.tensor(kind, tensor.name, "dims") if tensor.name else at
    if not dims:
        _incomplete(model, label, "dims", "give its shape without the batch dimension, e.g. dims: [ 1 ] "
                    "(with reshape: { shape: [ ] } for a scalar)", at)
    bad = [d for d in dims if d == 0 or d < -1]
    if bad:
        model.report("config/tensor-dims", "error", f"{label} has dims {dims}: {bad[0]} is not a size",
                     "each dim is an integer >= 1, or -1 for a variable size", dims_at)
    if tensor.HasField("reshape"):
        reshape_at = model.text.tensor(kind, tensor.name, "reshape") if tensor.name else at
        _check_reshape(model, label, dims, list(tensor.reshape.shape), reshape_at)
        if not tensor.reshape.shape and model.config.max_batch_size == 0:
            model.report("config/reshape", "error", f"{label}: empty reshape in a model without batching",
                         "an empty reshape is only allowed with max_batch_size > 0; drop it", reshape_at)
    if tensor.is_shape_tensor and model.platform != "tensorrt_plan":
        model.report("config/shape-tensor", "error", f"{label} is a shape tensor outside TensorRT",
                     "is_shape_tensor is only supported for platform tensorrt_plan; remove it", at)
    if tensor.is_non_linear_format_io and (model.platform != "tensorrt_plan" or len(dims) != 3):
        model.report("config/non-linear-format", "error", f"{label} is_non_linear_format_io "
                     + ("outside TensorRT" if model.platform != "tensorrt_plan" else f"with {len(dims)} dims"),
                     "non-linear IO formats exist only for platform tensorrt_plan, with exactly 3 dims", at)
    if kind == "input" and tensor.format in (1, 2) and len(dims) != 3:
        fmt = "FORMAT_NHWC" if tensor.format == 1 else "FORMAT_NCHW"
        model.report("config/tensor-format", "error", f"{label} is {fmt} but has {len(dims)} dims",
                     f"{fmt} needs exactly 3 dims (without the batch dimension); fix dims or drop format", dims_at)


def _check_reshape(model: ModelEntry, label: str, dims: list[int], shape: list[int], at) -> None:
    if not reshape_compatible(dims, shape):
        model.report(
            "config/reshape", "error", f"{label}: reshape {shape} does not keep the element count of dims {dims}",
            "dims and reshape must hold the same number of elements (variable -1 dims must line up)",
            at,
        )


def reshape_compatible(dims: list[int], shape: list[int]) -> bool:
    """Triton's rule: equal element counts; an empty reshape needs 1 element; -1 chunks must match."""
    if any(d == 0 or d < -1 for d in shape):
        return False
    if not shape:
        return -1 not in dims and prod(dims) == 1
    if -1 not in dims and -1 not in shape:
        return prod(dims) == prod(shape)
    if dims.count(-1) != shape.count(-1):
        return False
    return _chunks(dims) == _chunks(shape)


def _chunks(dims: list[int]) -> list[int]:
    """Element counts of the runs between variable dims: [2,3,-1,4] -> [6, 4]."""
    out, current = [], 1
    for d in dims:
        if d == -1:
            out.append(current)
            current = 1
        else:
            current *= d
    out.append(current)
    return out


def _check_batch_dim(model: ModelEntry) -> None:
    """max_batch_size > 0 makes the batch dimension implicit; every tensor led by -1 hints it was repeated."""
    config = model.config
    tensors = [*config.input, *config.output]
    if config.max_batch_size <= 0 or not tensors or model.is_ensemble:
        return
    if all(len(t.dims) >= 2 and t.dims[0] == -1 for t in tensors):
        first = tensors[0]
        model.report(
            "config/batch-dim-repeated", "warning",
            f"max_batch_size is {config.max_batch_size} and every tensor's dims start with -1 "
            f"(e.g. {first.name!r}: {list(first.dims)})",
            "with max_batch_size > 0 the batch dimension is implicit: drop the leading -1 from dims "
            "(or set max_batch_size: 0 if the model does its own batching)",
            model.text.tensor("input" if config.input else "output", first.name, "dims"),
        )
