"""ONNX models against their config.pbtxt: tensor names, data types, ranks and fixed sizes.

The most common load failure the server reports only at load time. Uses the `onnx` package, reads
the graph without external weights, and never runs the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tritonship.repository.scan import ModelEntry

# ONNX TensorProto.DataType -> config.pbtxt data type
ONNX_TO_CONFIG = {
    1: "TYPE_FP32", 2: "TYPE_UINT8", 3: "TYPE_INT8", 4: "TYPE_UINT16", 5: "TYPE_INT16", 6: "TYPE_INT32",
    7: "TYPE_INT64", 8: "TYPE_STRING", 9: "TYPE_BOOL", 10: "TYPE_FP16", 11: "TYPE_FP64", 12: "TYPE_UINT32",
    13: "TYPE_UINT64", 16: "TYPE_BF16",
}


@dataclass(frozen=True)
class GraphTensor:
    name: str
    dtype: str | None  # config name, None when unknown
    shape: tuple[int, ...] | None  # -1 for symbolic dims; None when the graph gives no shape


def onnx_file(model: ModelEntry, version: str) -> Path | None:
    name = model.default_model_filename or "model.onnx"
    path = model.path / version / name
    if path.is_dir():
        path = path / "model.onnx"
    return path if path.is_file() else None


def check_onnx_model(model: ModelEntry) -> None:
    if model.config is None or model.backend != "onnxruntime":
        return
    for version in model.versions:
        path = onnx_file(model, version)
        if path is not None:
            rel = path.relative_to(model.path.parent).as_posix()
            graph = read_graph(model, rel, path)
            if graph is not None:
                compare(model, rel, *graph)


def read_graph(model: ModelEntry, rel: str, path: Path):
    import onnx

    try:
        proto = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # onnx raises DecodeError, ValueError, ... for a bad file
        model.report("onnx/unreadable", "error", f"{rel} is not a readable ONNX model: {exc}",
                     "re-export the model; Triton will fail to load it", path=rel)
        return None
    initializers = {t.name for t in proto.graph.initializer}
    inputs = [_tensor(v) for v in proto.graph.input if v.name not in initializers]
    optional = [_tensor(v) for v in proto.graph.input if v.name in initializers]
    return inputs, optional, [_tensor(v) for v in proto.graph.output]


def _tensor(value) -> GraphTensor:
    kind = value.type.WhichOneof("value")
    if kind != "tensor_type":
        return GraphTensor(value.name, None, None)
    ttype = value.type.tensor_type
    shape = None
    if ttype.HasField("shape"):
        shape = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else -1 for d in ttype.shape.dim)
    return GraphTensor(value.name, ONNX_TO_CONFIG.get(ttype.elem_type), shape)


def compare(model: ModelEntry, rel: str, inputs, optional, outputs) -> None:
    config = model.config
    pairs = (("input", config.input, inputs, optional), ("output", config.output, outputs, []))
    for kind, declared, actual, extra in pairs:
        by_name = {t.name: t for t in [*actual, *extra]}
        for tensor in declared:
            graph = by_name.get(tensor.name)
            if graph is None:
                names = ", ".join(t.name for t in actual) or "none"
                model.report(f"onnx/unknown-{kind}", "error", f"{kind} {tensor.name!r} is not an {kind} of {rel}",
                             f"the model's {kind}s are: {names}; use those names in config.pbtxt",
                             model.text.tensor(kind, tensor.name))
                continue
            _compare_tensor(model, rel, kind, tensor, graph)
    declared_inputs = {t.name for t in config.input}
    for graph in inputs if declared_inputs else ():  # no inputs at all: the backend completes every one
        if graph.name not in declared_inputs:
            model.report("onnx/missing-input", "error", f"{rel} has input {graph.name!r}, which config.pbtxt omits",
                         f"declare input {graph.name!r} (data_type {graph.dtype or '?'}) in config.pbtxt",
                         model.where(r"(?<![\w.])input\s*(?::|\[|\{)"))


def _compare_tensor(model: ModelEntry, rel: str, kind: str, tensor, graph: GraphTensor) -> None:
    from tritonclient.grpc import model_config_pb2 as pb

    dtype = pb.DataType.Name(tensor.data_type)
    if tensor.data_type == 0 or not tensor.dims:
        _completed(model, rel, kind, tensor, graph)
    if tensor.data_type != 0 and graph.dtype and dtype != graph.dtype:
        model.report("onnx/dtype-mismatch", "error",
                     f"{kind} {tensor.name!r} is {dtype} in config.pbtxt but {graph.dtype} in {rel}",
                     f"set data_type: {graph.dtype}", model.text.tensor(kind, tensor.name, "data_type"))
    if graph.shape is None or not tensor.dims:
        return
    mbs = model.config.max_batch_size
    dims = tuple(int(d) for d in tensor.dims)
    full = (-1, *dims) if mbs > 0 else dims
    at = model.text.tensor(kind, tensor.name, "dims")
    if len(full) != len(graph.shape):
        model.report("onnx/rank-mismatch", "error",
                     f"{kind} {tensor.name!r} has rank {len(full)} in config.pbtxt "
                     f"({'batch + ' if mbs > 0 else ''}dims {list(dims)}) but rank {len(graph.shape)} in {rel} "
                     f"(shape {list(graph.shape)})",
                     _rank_hint(mbs, dims, graph.shape), at)
        return
    if mbs > 0 and graph.shape[0] != -1:
        model.report("onnx/no-batch-dim", "error",
                     f"max_batch_size is {mbs} but {rel} fixes {tensor.name!r}'s first dim to {graph.shape[0]}",
                     "export the model with a dynamic batch dimension, or set max_batch_size: 0 and write the "
                     "full shape in dims", at)
        return
    bad = [i for i, (c, g) in enumerate(zip(full, graph.shape, strict=True)) if -1 not in (c, g) and c != g]
    if bad:
        model.report("onnx/shape-mismatch", "error",
                     f"{kind} {tensor.name!r}: dims {list(dims)} disagree with {rel} shape {list(graph.shape)}",
                     f"write the model's sizes in dims (batch dimension {'excluded' if mbs > 0 else 'included'})",
                     at)


def _completed(model: ModelEntry, rel: str, kind: str, tensor, graph: GraphTensor) -> None:
    """No data_type or dims in config: the onnxruntime backend's auto-complete takes them from the graph
    (core's ValidateIOShape then sees the completed tensor). A note when the graph itself lacks them."""
    checks = (("data_type", tensor.data_type == 0, graph.dtype), ("dims", not tensor.dims, graph.shape is not None))
    missing = [what for what, absent, known in checks if absent and not known]
    if missing:
        model.report("config/tensor-dims" if "dims" in missing else "config/tensor-dtype", "note",
                     f"{kind} {tensor.name!r} has no {' or '.join(missing)} in config.pbtxt and {rel} does not "
                     "state it either: the server will complete it when it loads the model",
                     f"write {' and '.join(missing)} in config.pbtxt to fix the served interface",
                     model.text.tensor(kind, tensor.name))


def _rank_hint(mbs: int, dims: tuple[int, ...], shape: tuple[int, ...]) -> str:
    if mbs > 0 and len(dims) == len(shape):
        return ("max_batch_size > 0 adds the batch dimension implicitly: drop the first dim from dims "
                f"(dims: {list(shape[1:])})")
    if mbs == 0 and len(dims) + 1 == len(shape):
        return (f"the model has a batch dimension: set max_batch_size > 0 (dims: {list(dims)}) "
                f"or write it in dims ({list(shape)})")
    return f"write dims matching the model's shape {list(shape)}"
