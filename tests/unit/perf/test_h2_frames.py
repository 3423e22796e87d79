"""HTTP/2 framing and gRPC status rules of the lean gRPC client (RFC 9113, RFC 7541, PROTOCOL-HTTP2.md)."""

from __future__ import annotations

import hpack
import pytest

from tritonship.errors import BadInput
from tritonship.perf import h2_frames as h2


def test_hpack_integer_encoding_rfc7541_examples():
    assert h2._integer(10, 5, 0) == b"\x0a"
    assert h2._integer(1337, 5, 0) == b"\x1f\x9a\x0a"
    assert h2._integer(42, 8, 0) == b"\x2a"


def test_frame_header_layout():
    data = h2.frame(0x1, 0x4, 3, b"abc")
    assert data[:9] == b"\x00\x00\x03\x01\x04\x00\x00\x00\x03" and data[9:] == b"abc"


def test_frame_lengths_are_never_truncated():
    assert h2.frame_header((1 << 24) - 1, h2.DATA, 0, 1)[:3] == b"\xff\xff\xff"
    with pytest.raises(ValueError, match="24-bit"):
        h2.frame_header(1 << 24, h2.DATA, 0, 1)


def test_request_header_block_decodes_to_the_grpc_request_headers():
    block = h2.request_header_block("127.0.0.1:8001", "/inference.GRPCInferenceService/ModelInfer")
    headers = dict(hpack.Decoder().decode(block))
    assert headers == {":method": "POST", ":scheme": "http", ":path": "/inference.GRPCInferenceService/ModelInfer",
                       ":authority": "127.0.0.1:8001", "content-type": "application/grpc", "te": "trailers"}


def test_a_header_block_larger_than_the_max_frame_continues_in_continuation_frames():
    out = h2.header_frames(5, b"x" * 40_000, 16_384)
    kinds, pos = [], 0
    while pos < len(out):
        length = int.from_bytes(out[pos:pos + 3], "big")
        kinds.append((out[pos + 3], out[pos + 4], length))
        pos += 9 + length
    assert kinds == [(h2.HEADERS, 0, 16_384), (h2.CONTINUATION, 0, 16_384), (h2.CONTINUATION, h2.END_HEADERS, 7232)]


def test_settings_round_trip_and_validation():
    payload = h2.settings_payload({h2.MAX_FRAME_SIZE: 32_768, h2.INITIAL_WINDOW_SIZE: 1 << 20, 0x99: 7})
    assert h2.parse_settings(payload) == {h2.MAX_FRAME_SIZE: 32_768, h2.INITIAL_WINDOW_SIZE: 1 << 20, 0x99: 7}
    with pytest.raises(h2.H2ProtocolError) as small:
        h2.parse_settings(h2.settings_payload({h2.MAX_FRAME_SIZE: 1000}))
    assert small.value.code == 1  # PROTOCOL_ERROR
    with pytest.raises(h2.H2ProtocolError) as window:
        h2.parse_settings(h2.settings_payload({h2.INITIAL_WINDOW_SIZE: 1 << 31}))
    assert window.value.code == 3  # FLOW_CONTROL_ERROR
    with pytest.raises(h2.H2ProtocolError):
        h2.parse_settings(b"\x00\x01\x00")


def test_padding_and_priority_are_stripped():
    assert h2.strip_padding(h2.PADDED, b"\x02abcXX", h2.DATA) == b"abc"
    assert h2.strip_padding(h2.PRIORITY_FLAG, b"12345hdr", h2.HEADERS) == b"hdr"
    with pytest.raises(h2.H2ProtocolError):
        h2.strip_padding(h2.PADDED, b"\x09ab", h2.DATA)


def test_message_prefix_holds_the_whole_length():
    assert h2.grpc_message_prefix(20_000_000) == b"\x00" + (20_000_000).to_bytes(4, "big")


def test_a_request_over_tritons_limit_is_bad_input_naming_the_limit():
    h2.check_message_size(h2.TRITON_MAX_MESSAGE)
    with pytest.raises(BadInput, match="Triton's server-side gRPC message size limit of 2,147,483,647 bytes"):
        h2.check_message_size(h2.TRITON_MAX_MESSAGE + 1)
    with pytest.raises(BadInput) as too_big:
        h2.grpc_message_prefix(5_000_000_000)
    assert "--protocol http" in too_big.value.hint


def test_call_error_reads_trailers_and_trailers_only_responses():
    ok = {":status": "200", "content-type": "application/grpc"}
    assert h2.call_error(ok, {"grpc-status": "0"}) is None
    assert h2.call_error(ok, {"grpc-status": "8", "grpc-message": "Received%20message%20larger"}) == \
        "RESOURCE_EXHAUSTED: Received message larger"
    assert h2.call_error({**ok, "grpc-status": "3", "grpc-message": "bad shape"}, None) == "INVALID_ARGUMENT: bad shape"
    assert h2.call_error(ok, {}) == "UNKNOWN: the response carried no grpc-status"
    assert h2.call_error({":status": "503"}, None).startswith("UNAVAILABLE: HTTP status 503")
    assert h2.call_error(ok, {"grpc-status": "99"}) == "status 99"


def test_header_decoder_follows_the_dynamic_table_and_caches_only_indexed_blocks():
    encoder, decoder = hpack.Encoder(), h2.HeaderDecoder()
    first = encoder.encode([(":status", "200"), ("grpc-status", "0")])
    again = encoder.encode([(":status", "200"), ("grpc-status", "0")])
    assert h2.indexed_only(again) and not h2.indexed_only(first)
    assert decoder.decode(first) == decoder.decode(again) == {":status": "200", "grpc-status": "0"}
    assert again in decoder.cache
    changed = encoder.encode([("grpc-status", "13"), ("grpc-message", "boom")])
    assert decoder.decode(changed) == {"grpc-status": "13", "grpc-message": "boom"}
    assert decoder.cache == {}  # a block that may change the table forgets what the old table meant
    with pytest.raises(h2.H2ProtocolError):
        decoder.decode(b"\xff\xff\xff\x7f")
