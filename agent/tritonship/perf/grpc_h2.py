"""A lean gRPC client: unary ModelInfer calls over HTTP/2 connections on asyncio protocols.

Python's grpc packages spend ~200 us of CPU per call; the load generator must not. Every request is the
same pre-serialised ModelInferRequest, so the HEADERS block (static-table HPACK, no dynamic table) and
the message are built once; only the stream id changes. The connection follows RFC 9113: it honours the
server's SETTINGS (SETTINGS_MAX_FRAME_SIZE splits DATA, SETTINGS_INITIAL_WINDOW_SIZE and WINDOW_UPDATE
bound what is in flight per stream and per connection, SETTINGS_MAX_CONCURRENT_STREAMS queues calls), and
gives back receive window as responses are read. A call's outcome is read as grpc/grpc's
PROTOCOL-HTTP2.md says: `grpc-status` / `grpc-message` of the trailers, or of a Trailers-Only response.
"""

from __future__ import annotations

import asyncio
import struct
from collections import deque
from collections.abc import Callable
from time import perf_counter_ns

from tritonship.perf.h2_frames import (
    ACK,
    CONTINUATION,
    DATA,
    DEFAULT_MAX_FRAME,
    DEFAULT_WINDOW,
    ENABLE_PUSH,
    END_HEADERS,
    END_STREAM,
    FRAME_HEADER,
    GOAWAY,
    HEADERS,
    INITIAL_WINDOW_SIZE,
    MAX_CONCURRENT_STREAMS,
    MAX_FRAME_LIMIT,
    MAX_FRAME_SIZE,
    MAX_STREAM_ID,
    MAX_WINDOW,
    PADDED,
    PING,
    PREFACE,
    PRIORITY_FLAG,
    PUSH_PROMISE,
    RST_STREAM,
    SETTINGS,
    WINDOW_UPDATE,
    H2ProtocolError,
    HeaderDecoder,
    call_error,
    error_name,
    frame,
    frame_header,
    grpc_message_prefix,
    header_frames,
    parse_settings,
    request_header_block,
    settings_payload,
    strip_padding,
)

METHOD = "/inference.GRPCInferenceService/ModelInfer"
PER_CONNECTION = 100  # calls multiplexed on one connection (capped by the server's max_concurrent_streams)
RECV_WINDOW = 1 << 30  # what we let the server send per stream and per connection before a WINDOW_UPDATE
RECV_MAX_FRAME = 1 << 20  # our SETTINGS_MAX_FRAME_SIZE: fewer frames to parse for large responses
_WINDOW_UPDATE_AT = RECV_WINDOW // 2
_PAD_OR_PRIORITY = PADDED | PRIORITY_FLAG


class _Stream:
    __slots__ = ("data", "headers", "id", "offset", "on_done", "t0", "unacked", "window")

    def __init__(self, stream_id: int, on_done: Callable, t0: int, window: int) -> None:
        self.id = stream_id
        self.on_done = on_done
        self.t0 = t0
        self.window = window  # what the server still accepts on this stream
        self.offset = 0  # request bytes sent
        self.unacked = 0  # response bytes received since our last stream WINDOW_UPDATE
        self.headers: dict[str, str] | None = None
        self.data: bytearray | None = None


class H2Connection(asyncio.Protocol):
    """Multiplexes calls; `call(t0, on_done)` starts one and returns at once.

    `on_done(latency_ns, error_or_None)` runs when the call ends. With `capture=True` the last response's
    DATA bytes are kept in `last_response` (for tests).
    """

    def __init__(self, authority: str, message: bytes, on_lost: Callable[[str], None], capture: bool = False) -> None:
        self.block = request_header_block(authority, METHOD)
        self.body = grpc_message_prefix(len(message)) + message
        # HEADERS and DATA frame headers around the header block, packed in one call per request
        self.request_frames = struct.Struct(f">IBI{len(self.block)}sIBI")
        self.request_words = ((len(self.block) << 8) | HEADERS, (min(len(self.body), MAX_FRAME_LIMIT) << 8) | DATA)
        self.on_lost = on_lost
        self.capture = capture
        self.last_response = b""
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.next_stream = 1
        self.streams: dict[int, _Stream] = {}
        self.peer = {MAX_FRAME_SIZE: DEFAULT_MAX_FRAME, INITIAL_WINDOW_SIZE: DEFAULT_WINDOW,
                     MAX_CONCURRENT_STREAMS: MAX_STREAM_ID}
        self.send_window = DEFAULT_WINDOW  # connection-level window the server granted us
        self.recv_unacked = 0
        self.blocked: deque[_Stream] = deque()  # streams with request bytes waiting for window
        self.waiting: deque[tuple[int, Callable]] = deque()  # calls over max_concurrent_streams
        self.continuing: tuple[int, int, bytearray] | None = None  # a header block awaiting CONTINUATION
        self.decoder = HeaderDecoder()
        self.accepting = True
        self.slots = 0  # H2Slots handed out on this connection (GrpcTarget's bookkeeping)
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()

    # -- connection lifecycle -------------------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport
        ours = settings_payload({ENABLE_PUSH: 0, INITIAL_WINDOW_SIZE: RECV_WINDOW, MAX_FRAME_SIZE: RECV_MAX_FRAME})
        transport.write(PREFACE + frame(SETTINGS, 0, 0, ours)
                        + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", RECV_WINDOW - DEFAULT_WINDOW)))

    def connection_lost(self, exc) -> None:
        self.transport = None
        self.accepting = False
        reason = f"connection lost: {exc or 'closed by server'}"
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"gRPC {reason}"))
        self._fail_all(reason)
        self.on_lost(reason)

    @property
    def usable(self) -> bool:
        return self.transport is not None and self.accepting

    def _fail_all(self, reason: str) -> None:
        streams, self.streams = self.streams, {}
        waiting, self.waiting = self.waiting, deque()
        self.blocked.clear()
        now = perf_counter_ns()
        for st in streams.values():
            st.on_done(now - st.t0, reason)
        for t0, on_done in waiting:
            on_done(now - t0, reason)

    def _connection_error(self, exc: H2ProtocolError) -> None:
        """RFC 9113 §5.4.1: GOAWAY with the error code, then close."""
        if self.transport is not None:
            self.transport.write(frame(GOAWAY, 0, 0, struct.pack(">II", 0, exc.code)))
            self.transport.close()
        self.accepting = False
        self._fail_all(f"HTTP/2 {error_name(exc.code)}: {exc}")

    # -- sending --------------------------------------------------------------------------------------
    def call(self, t0: int, on_done: Callable[[int, str | None], None]) -> None:
        if not self.usable:  # never re-enter the caller: it may send again from on_done
            asyncio.get_running_loop().call_soon(on_done, 0, "connection lost: closed by server")
        elif self.waiting or len(self.streams) >= self.peer[MAX_CONCURRENT_STREAMS]:
            self.waiting.append((t0, on_done))
        else:
            self._open(t0, on_done)

    def _open(self, t0: int, on_done: Callable) -> None:
        sid = self.next_stream
        if sid > MAX_STREAM_ID:  # stream ids are spent: this connection takes no more calls (§5.1.1)
            self.accepting = False
            asyncio.get_running_loop().call_soon(on_done, 0, "connection lost: stream ids exhausted")
            return
        self.next_stream += 2
        st = _Stream(sid, on_done, t0, self.peer[INITIAL_WINDOW_SIZE])
        self.streams[sid] = st
        size = len(self.body)
        max_frame = self.peer[MAX_FRAME_SIZE]
        if size <= max_frame and size <= st.window and size <= self.send_window and not self.blocked \
                and len(self.block) <= max_frame:
            st.window -= size
            self.send_window -= size
            st.offset = size
            headers, data = self.request_words
            self.transport.write(self.request_frames.pack(headers, END_HEADERS, sid, self.block, data, END_STREAM, sid)
                                 + self.body)
            return
        self.transport.write(header_frames(sid, self.block, max_frame))
        self.blocked.append(st)
        self._pump()

    def _pump(self) -> None:
        """Send waiting request bytes as far as the windows allow, in frames of at most max frame size."""
        if not self.blocked or self.transport is None:
            return
        body, size, max_frame = memoryview(self.body), len(self.body), self.peer[MAX_FRAME_SIZE]
        chunks: list = []
        still: deque[_Stream] = deque()
        while self.blocked:
            st = self.blocked.popleft()
            if self.streams.get(st.id) is not st:
                continue  # reset or answered early
            while st.offset < size and self.send_window > 0 and st.window > 0:
                n = min(size - st.offset, max_frame, self.send_window, st.window)
                chunks += (frame_header(n, DATA, END_STREAM if st.offset + n == size else 0, st.id),
                           body[st.offset:st.offset + n])
                st.offset += n
                st.window -= n
                self.send_window -= n
            if st.offset < size:
                still.append(st)
        self.blocked = still
        if chunks:
            self.transport.writelines(chunks)

    # -- receiving ------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        pos, size = 0, len(buf)
        unpack = FRAME_HEADER.unpack_from
        try:
            while size - pos >= 9:
                word, flags, stream = unpack(buf, pos)
                length, kind, stream = word >> 8, word & 0xFF, stream & 0x7FFFFFFF
                if length > RECV_MAX_FRAME:
                    raise H2ProtocolError(6, f"frame of {length} bytes is above our SETTINGS_MAX_FRAME_SIZE")
                end = pos + 9 + length
                if end > size:
                    break
                if self.continuing is not None and kind != CONTINUATION:
                    raise H2ProtocolError(1, "a header block was interrupted by another frame")
                if kind == DATA:
                    self._data(flags, stream, length, buf, pos + 9)
                else:
                    self._frame(kind, flags, stream, bytes(buf[pos + 9:end]))
                pos = end
        except H2ProtocolError as exc:
            self._connection_error(exc)
            return
        del buf[:pos]

    def _data(self, flags: int, stream: int, length: int, buf: bytearray, start: int) -> None:
        self.recv_unacked += length  # flow control counts the whole payload, padding included (§6.9.1)
        if self.recv_unacked >= _WINDOW_UPDATE_AT:
            self.transport.write(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", self.recv_unacked)))
            self.recv_unacked = 0
        st = self.streams.get(stream)
        if st is None:
            return
        if self.capture:
            st.data = (st.data or bytearray()) + strip_padding(flags, bytes(buf[start:start + length]), DATA)
        if st.headers is None:
            self._finish(st, "INTERNAL: DATA before the response headers")
        elif flags & END_STREAM:
            self._finish(st, "INTERNAL: the server ended the stream without trailers (no grpc-status)")
        else:
            st.unacked += length
            if st.unacked >= _WINDOW_UPDATE_AT:
                self.transport.write(frame(WINDOW_UPDATE, 0, stream, struct.pack(">I", st.unacked)))
                st.unacked = 0

    def _frame(self, kind: int, flags: int, stream: int, payload: bytes) -> None:
        if kind == HEADERS:
            if stream == 0:
                raise H2ProtocolError(1, "HEADERS on stream 0")
            fragment = bytes(strip_padding(flags, payload, HEADERS)) if flags & _PAD_OR_PRIORITY else payload
            if flags & END_HEADERS:
                self._headers(stream, flags, fragment)
            else:
                self.continuing = (stream, flags, bytearray(fragment))
        elif kind == WINDOW_UPDATE:
            self._window_update(stream, int.from_bytes(payload[:4], "big") & 0x7FFFFFFF)
        elif kind == CONTINUATION:
            if self.continuing is None or self.continuing[0] != stream:
                raise H2ProtocolError(1, "CONTINUATION without a header block in progress on its stream")
            self.continuing[2].extend(payload)
            if flags & END_HEADERS:
                first, self.continuing = self.continuing, None
                self._headers(stream, first[1], bytes(first[2]))
        elif kind == RST_STREAM:
            code = int.from_bytes(payload[:4], "big")
            st = self.streams.get(stream)
            if st is not None:
                self._finish(st, f"stream reset by the server ({error_name(code)})", reset=False)
        elif kind == PUSH_PROMISE:
            raise H2ProtocolError(1, "PUSH_PROMISE although we disabled server push")
        else:
            self._control(kind, flags, payload)

    def _headers(self, stream: int, flags: int, block: bytes) -> None:
        headers = self.decoder.decode(block)  # every block, in order: it keeps the HPACK table in step
        st = self.streams.get(stream)
        if st is None:
            return
        if st.headers is None:
            st.headers = headers
            if flags & END_STREAM:  # Trailers-Only
                self._finish(st, call_error(headers, None))
        elif not flags & END_STREAM:
            self._finish(st, "INTERNAL: a second header block without END_STREAM")
        else:
            self._finish(st, call_error(st.headers, headers))

    def _window_update(self, stream: int, increment: int) -> None:
        if stream == 0:
            if increment == 0:
                raise H2ProtocolError(1, "WINDOW_UPDATE of 0 on the connection")
            self.send_window += increment
            if self.send_window > MAX_WINDOW:
                raise H2ProtocolError(3, "the connection window grew above 2^31-1")
        else:
            st = self.streams.get(stream)
            if st is None:
                return
            if increment == 0 or st.window + increment > MAX_WINDOW:
                self._finish(st, "HTTP/2 FLOW_CONTROL_ERROR: bad stream WINDOW_UPDATE")
                return
            st.window += increment
        self._pump()

    def _control(self, kind: int, flags: int, payload: bytes) -> None:
        if kind == SETTINGS and not flags & ACK:
            self._apply_settings(parse_settings(payload))
            self.transport.write(frame(SETTINGS, ACK, 0))
            if not self.ready.done():
                self.ready.set_result(None)
            self._pump()
            self._admit()
        elif kind == PING and not flags & ACK:
            self.transport.write(frame(PING, ACK, 0, payload))
        elif kind == GOAWAY:
            self._goaway(int.from_bytes(payload[:4], "big") & 0x7FFFFFFF, int.from_bytes(payload[4:8], "big"))

    def _apply_settings(self, values: dict[int, int]) -> None:
        """A new SETTINGS_INITIAL_WINDOW_SIZE moves every open stream's window by the difference (§6.9.2)."""
        if INITIAL_WINDOW_SIZE in values:
            delta = values[INITIAL_WINDOW_SIZE] - self.peer[INITIAL_WINDOW_SIZE]
            for st in self.streams.values():
                st.window += delta
                if st.window > MAX_WINDOW:
                    raise H2ProtocolError(3, "a stream window grew above 2^31-1")
        self.peer.update((k, v) for k, v in values.items() if k in self.peer)

    def _goaway(self, last_stream: int, code: int) -> None:
        """Streams above the server's last stream id were not processed; the rest may still finish."""
        self.accepting = False
        reason = f"the server is closing the connection (GOAWAY {error_name(code)})"
        for st in [st for sid, st in self.streams.items() if sid > last_stream]:
            self._finish(st, reason, reset=False)
        waiting, self.waiting = self.waiting, deque()
        for t0, on_done in waiting:
            on_done(perf_counter_ns() - t0, reason)
        if not self.streams and self.transport is not None:
            self.transport.close()

    def _finish(self, st: _Stream, error: str | None, reset: bool = True) -> None:
        if self.streams.pop(st.id, None) is None:
            return
        if reset and st.offset < len(self.body) and self.transport is not None:
            # answered before the whole request went out: stop sending it (RFC 9113 §8.1)
            self.transport.write(frame(RST_STREAM, 0, st.id, struct.pack(">I", 8)))  # CANCEL
        if self.capture:
            self.last_response = bytes(st.data or b"")
        st.on_done(perf_counter_ns() - st.t0, error)
        if self.waiting:
            self._admit()
        if not self.accepting and not self.streams and self.transport is not None:
            self.transport.close()

    def _admit(self) -> None:
        while self.waiting and self.usable and len(self.streams) < self.peer[MAX_CONCURRENT_STREAMS]:
            self._open(*self.waiting.popleft())
