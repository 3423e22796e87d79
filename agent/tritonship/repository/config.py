"""config.pbtxt: parse text-format `inference.ModelConfig` with positions, convert to plain dicts.

The protobuf schema comes from tritonclient (grpc extra); it is imported lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tritonship.boundary import LIMITS, read_text_input
from tritonship.errors import BadInput

# config.pbtxt data type -> inference protocol data type
PROTOCOL_DTYPE = {
    "TYPE_BOOL": "BOOL",
    "TYPE_UINT8": "UINT8",
    "TYPE_UINT16": "UINT16",
    "TYPE_UINT32": "UINT32",
    "TYPE_UINT64": "UINT64",
    "TYPE_INT8": "INT8",
    "TYPE_INT16": "INT16",
    "TYPE_INT32": "INT32",
    "TYPE_INT64": "INT64",
    "TYPE_FP16": "FP16",
    "TYPE_FP32": "FP32",
    "TYPE_FP64": "FP64",
    "TYPE_STRING": "BYTES",
    "TYPE_BF16": "BF16",
}


class ConfigParseError(BadInput):
    """config.pbtxt is not valid text-format ModelConfig."""

    def __init__(self, path: Path, line: int | None, column: int | None, reason: str) -> None:
        where = f"{path}:{line}:{column}" if line else str(path)
        super().__init__(f"{where}: cannot parse config.pbtxt: {reason}")
        self.path, self.line, self.column, self.reason = path, line, column, reason


def model_config_class():
    from tritonclient.grpc import model_config_pb2

    return model_config_pb2.ModelConfig


def parse_config_text(text: str, path: Path | str = "config.pbtxt"):
    """Parse config.pbtxt text into a ModelConfig message, or raise ConfigParseError with line/column."""
    from google.protobuf import text_format

    message = model_config_class()()
    try:
        _parse_bounded(text_format, text, message)
    except text_format.ParseError as exc:
        line, column = exc.GetLine(), exc.GetColumn()
        reason = str(exc)
        prefix = f"{line}:{column} : " if line else ""
        reason = reason.removeprefix(prefix).strip()
        raise ConfigParseError(Path(path), line or None, column or None, reason) from exc
    return message


def _parse_bounded(text_format, text: str, message) -> None:
    """text_format recurses per nested message and builds Python ints: hostile depth or digits is a
    ParseError (reported like any other), not a RecursionError or ValueError escaping the linter."""
    if len(text.encode("utf-8")) > LIMITS["config.pbtxt"]:
        raise text_format.ParseError(f"larger than the limit of {LIMITS['config.pbtxt']} bytes")
    try:
        text_format.Parse(text, message)
    except RecursionError:
        raise text_format.ParseError("nested too deeply to parse") from None
    except ValueError as exc:
        if isinstance(exc, text_format.ParseError):
            raise
        raise text_format.ParseError(f"a value cannot be parsed: {str(exc)[:120]}") from None


def load_config(path: Path | str):
    path = Path(path)
    return parse_config_text(read_text_input(path, "config.pbtxt"), path)


def config_to_dict(message) -> dict[str, Any]:
    """The same JSON shape the server returns from /v2/models/{m}/config (proto field names)."""
    from google.protobuf import json_format

    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def config_from_dict(data: dict[str, Any]):
    """A ModelConfig from the server's JSON (unknown fields ignored: newer servers add some)."""
    from google.protobuf import json_format

    return json_format.ParseDict(data, model_config_class()(), ignore_unknown_fields=True)


@dataclass(frozen=True)
class TensorSpec:
    """One input or output as the client sees it: protocol dtype, dims without the batch dimension."""

    name: str
    dtype: str  # protocol name: FP32, BYTES, ...
    dims: tuple[int, ...]
    optional: bool = False


def tensor_specs(config, kind: str) -> list[TensorSpec]:
    """Inputs (`kind='input'`) or outputs of a ModelConfig message, with reshape ignored (client view)."""
    from tritonclient.grpc import model_config_pb2

    specs = []
    for tensor in getattr(config, kind):
        dtype_name = model_config_pb2.DataType.Name(tensor.data_type)
        specs.append(
            TensorSpec(
                name=tensor.name,
                dtype=PROTOCOL_DTYPE.get(dtype_name, dtype_name),
                dims=tuple(int(d) for d in tensor.dims),
                optional=bool(getattr(tensor, "optional", False)),
            )
        )
    return specs
