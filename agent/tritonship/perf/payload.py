"""Inference requests built once, as bytes, so the load generator does no per-request serialisation.

HTTP requests use the KServe v2 binary-tensor extension (JSON header + raw tensor bytes,
`Inference-Header-Content-Length`); gRPC requests are serialised `ModelInferRequest` protobufs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Payload:
    """One request, ready to send. `http` is the whole HTTP/1.1 request; `grpc` a ModelInferRequest."""

    model: str
    batch: int
    http: bytes
    grpc: bytes


def tensor_bytes(array: np.ndarray, datatype: str) -> bytes:
    if datatype == "BYTES":
        from tritonclient.utils import serialize_byte_tensor

        return serialize_byte_tensor(array).tobytes()
    return array.tobytes()


def http_request(model: str, host: str, inputs: dict[str, tuple[np.ndarray, str]], outputs: list[str]) -> bytes:
    """POST /v2/models/<model>/infer with binary inputs and binary outputs requested."""
    blobs = [tensor_bytes(array, dtype) for array, dtype in inputs.values()]
    header = {
        "inputs": [
            {"name": name, "shape": list(array.shape), "datatype": dtype, "parameters": {"binary_data_size": len(blob)}}
            for (name, (array, dtype)), blob in zip(inputs.items(), blobs, strict=True)
        ],
        "outputs": [{"name": name, "parameters": {"binary_data": True}} for name in outputs],
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    body = head + b"".join(blobs)
    lines = [
        f"POST /v2/models/{model}/infer HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/octet-stream",
        f"Inference-Header-Content-Length: {len(head)}",
        f"Content-Length: {len(body)}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode() + body


def grpc_request(model: str, inputs: dict[str, tuple[np.ndarray, str]], outputs: list[str]) -> bytes:
    from tritonclient.grpc import service_pb2

    request = service_pb2.ModelInferRequest(model_name=model)
    for name, (array, dtype) in inputs.items():
        tensor = request.inputs.add(name=name, datatype=dtype)
        tensor.shape.extend(array.shape)
        request.raw_input_contents.append(tensor_bytes(array, dtype))
    for name in outputs:
        request.outputs.add(name=name)
    return request.SerializeToString()


def build_payload(model: str, host: str, batch: int, inputs: dict[str, tuple[np.ndarray, str]],
                  outputs: list[str]) -> Payload:
    return Payload(model, batch, http_request(model, host, inputs, outputs), grpc_request(model, inputs, outputs))
