"""HTTP/2 framing and gRPC call rules for the lean gRPC client. Pure functions, no I/O.

Mirrors RFC 9113 (frame layout §4.1, SETTINGS §6.5, flow control §5.2/§6.9, HEADERS + CONTINUATION
§6.2/§6.10) and grpc/grpc doc/PROTOCOL-HTTP2.md (Length-Prefixed-Message, `te: trailers`, the status
in `grpc-status` / percent-encoded `grpc-message` of the trailers or of a Trailers-Only response, and
the HTTP-status-to-gRPC-code mapping for responses that are not HTTP 200).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from urllib.parse import unquote

from tritonship.errors import BadInput

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
# SETTINGS identifiers (RFC 9113 §6.5.2)
HEADER_TABLE_SIZE, ENABLE_PUSH, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE = 1, 2, 3, 4, 5
DEFAULT_WINDOW = 65_535  # initial flow-control window of a connection and of every stream
DEFAULT_MAX_FRAME = 16_384  # SETTINGS_MAX_FRAME_SIZE until the peer says otherwise
MAX_FRAME_LIMIT = (1 << 24) - 1  # the largest frame length a 24-bit field holds
MAX_WINDOW = (1 << 31) - 1
MAX_STREAM_ID = (1 << 31) - 1
# Triton's server-side gRPC limit on a message either way: `MAX_GRPC_MESSAGE_SIZE = INT32_MAX`
# (triton-inference-server/server src/grpc/grpc_utils.h), applied with ServerBuilder::SetMaxMessageSize.
TRITON_MAX_MESSAGE = (1 << 31) - 1

ERROR_CODES = ("NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
               "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
               "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED")
GRPC_CODES = ("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
              "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
              "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED")
# PROTOCOL-HTTP2.md / doc/http-grpc-status-mapping.md: a non-200 HTTP status becomes this gRPC code
_HTTP_TO_GRPC = {400: "INTERNAL", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "UNIMPLEMENTED",
                 429: "UNAVAILABLE", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "UNAVAILABLE"}


class H2ProtocolError(Exception):
    """A connection error (RFC 9113 §5.4.1): the connection must be closed with GOAWAY(code)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


FRAME_HEADER = struct.Struct(">IBI")  # (length << 8 | type), flags, stream: the 9-byte frame header in one pack


def frame_header(length: int, kind: int, flags: int, stream: int) -> bytes:
    if not 0 <= length <= MAX_FRAME_LIMIT:
        raise ValueError(f"HTTP/2 frame payload of {length} bytes does not fit the 24-bit length field")
    return FRAME_HEADER.pack((length << 8) | kind, flags, stream)


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return frame_header(len(payload), kind, flags, stream) + payload


def header_frames(stream: int, block: bytes, max_frame: int, end_stream: bool = False) -> bytes:
    """HEADERS, then CONTINUATION frames when the block is larger than the peer's max frame size."""
    first, rest = block[:max_frame], block[max_frame:]
    flags = (END_STREAM if end_stream else 0) | (0 if rest else END_HEADERS)
    out = [frame(HEADERS, flags, stream, first)]
    while rest:
        part, rest = rest[:max_frame], rest[max_frame:]
        out.append(frame(CONTINUATION, 0 if rest else END_HEADERS, stream, part))
    return b"".join(out)


def settings_payload(values: Mapping[int, int]) -> bytes:
    return b"".join(struct.pack(">HI", key, value) for key, value in values.items())


def parse_settings(payload: bytes) -> dict[int, int]:
    """SETTINGS parameters, validated as §6.5.2 requires (unknown identifiers are ignored)."""
    if len(payload) % 6:
        raise H2ProtocolError(6, f"SETTINGS payload of {len(payload)} bytes is not a multiple of 6")
    values = {}
    for offset in range(0, len(payload), 6):
        key, value = struct.unpack_from(">HI", payload, offset)
        if key == INITIAL_WINDOW_SIZE and value > MAX_WINDOW:
            raise H2ProtocolError(3, f"SETTINGS_INITIAL_WINDOW_SIZE {value} is above 2^31-1")
        if key == MAX_FRAME_SIZE and not DEFAULT_MAX_FRAME <= value <= MAX_FRAME_LIMIT:
            raise H2ProtocolError(1, f"SETTINGS_MAX_FRAME_SIZE {value} is outside 16384..2^24-1")
        if key == ENABLE_PUSH and value > 1:
            raise H2ProtocolError(1, f"SETTINGS_ENABLE_PUSH {value} is not 0 or 1")
        values[key] = value
    return values


def strip_padding(flags: int, payload: memoryview | bytes, kind: int) -> memoryview | bytes:
    """The fragment of a DATA/HEADERS frame without its Pad Length, priority fields and padding."""
    start, end = 0, len(payload)
    if flags & PADDED:
        if not payload:
            raise H2ProtocolError(1, "PADDED frame without a Pad Length")
        start, end = 1, end - payload[0]
    if kind == HEADERS and flags & PRIORITY_FLAG:
        start += 5
    if end < start:
        raise H2ProtocolError(1, "padding exceeds the frame payload")
    return payload[start:end]


def grpc_message_prefix(length: int) -> bytes:
    """The 5-byte Length-Prefixed-Message header: uncompressed flag, then a 4-byte big-endian length."""
    check_message_size(length)
    return b"\x00" + struct.pack(">I", length)


def check_message_size(length: int, limit: int = TRITON_MAX_MESSAGE) -> None:
    """BadInput for a request Triton's gRPC server would refuse, before anything is sent."""
    if length > limit:
        raise BadInput(
            f"the gRPC request is {length:,} bytes, above Triton's server-side gRPC message size limit of "
            f"{limit:,} bytes (MAX_GRPC_MESSAGE_SIZE = INT32_MAX in Triton's gRPC server)",
            hint="use --protocol http (Triton's --http-max-input-size applies there), a smaller --batch, "
                 "or smaller inputs")


def call_error(headers: Mapping[str, str], trailers: Mapping[str, str] | None) -> str | None:
    """None for a call that succeeded, else the gRPC status and message the server sent.

    `trailers` is None for a Trailers-Only response, whose single HEADERS block carries the status.
    """
    status = headers.get(":status", "")
    if status != "200":
        code = _HTTP_TO_GRPC.get(int(status) if status.isdigit() else 0, "UNKNOWN")
        return f"{code}: HTTP status {status or 'missing'} from the server"
    final = headers if trailers is None else trailers
    value = final.get("grpc-status")
    if value is None:
        return "UNKNOWN: the response carried no grpc-status"
    if value == "0":
        return None
    code = int(value) if value.isdigit() else -1
    name = GRPC_CODES[code] if 0 <= code < len(GRPC_CODES) else f"status {value}"
    message = unquote(final.get("grpc-message", ""))
    return f"{name}: {message}" if message else name


def error_name(code: int) -> str:
    return ERROR_CODES[code] if 0 <= code < len(ERROR_CODES) else f"error code {code}"


def indexed_only(block: bytes) -> bool:
    """True when an HPACK block holds only Indexed Header Fields (RFC 7541 §6.1): it leaves the table alone."""
    i, size = 0, len(block)
    while i < size:
        if not block[i] & 0x80:
            return False
        if block[i] == 0xFF:  # the index continues in 7-bit groups
            i += 1
            while i < size and block[i] & 0x80:
                i += 1
        i += 1
    return True


class HeaderDecoder:
    """HPACK decoding (the `hpack` package) of every header block of one connection, in order.

    Blocks of only indexed fields do not change the dynamic table, so their decoding is remembered
    until a block that may change it arrives: a steady stream of identical responses costs a dict look-up.
    """

    def __init__(self) -> None:
        import hpack

        self.decoder = hpack.Decoder()
        self.errors = (hpack.HPACKError,)
        self.cache: dict[bytes, dict[str, str]] = {}

    def decode(self, block: bytes) -> dict[str, str]:
        hit = self.cache.get(block)
        if hit is not None:
            return hit
        try:
            headers = dict(self.decoder.decode(block))
        except self.errors as exc:
            raise H2ProtocolError(9, f"cannot decode the server's header block: {exc}") from exc
        if indexed_only(block):
            if len(self.cache) < 64:
                self.cache[block] = headers
        else:
            self.cache.clear()
        return headers


def _integer(value: int, prefix_bits: int, first: int) -> bytes:
    """HPACK integer (RFC 7541 §5.1)."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes((first | value,))
    out = bytearray((first | limit,))
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _literal(name_index: int, value: str) -> bytes:
    """Literal header field without indexing, indexed name, raw (non-Huffman) value (RFC 7541 §6.2.2)."""
    raw = value.encode()
    return _integer(name_index, 4, 0x00) + _integer(len(raw), 7, 0x00) + raw


def request_header_block(authority: str, path: str) -> bytes:
    """:method POST, :scheme http, :path, :authority, content-type application/grpc, te: trailers.

    Only static-table references and literals without indexing: the server's decoder table never changes,
    so the same block serves every call.
    """
    return (b"\x83\x86" + _literal(4, path) + _literal(1, authority) + _literal(31, "application/grpc")
            + b"\x00" + _integer(2, 7, 0) + b"te" + _integer(8, 7, 0) + b"trailers")
