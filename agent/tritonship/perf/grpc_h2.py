"""A lean gRPC client: unary ModelInfer calls over one HTTP/2 connection on an asyncio protocol.

Python's grpc packages spend ~200 us of CPU per call; the load generator must not. Every request is the
same pre-serialised ModelInferRequest, so the HEADERS block (HPACK without the dynamic table) and the
DATA frame are built once; only the stream id changes. Responses are framed, not decoded: a stream that
carried a DATA frame before its END_STREAM trailers succeeded; a trailers-only response or RST_STREAM is
a failure (the worker fetches the server's message once with the grpc package, see `error_details`).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from time import perf_counter_ns

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
METHOD = "/inference.GRPCInferenceService/ModelInfer"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7, 0x8
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
BIG_WINDOW = 1 << 30
TRAILERS_ONLY = "gRPC call failed (trailers-only response)"
PER_CONNECTION = 100  # calls multiplexed on one connection (a common max_concurrent_streams)


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes((kind, flags)) + struct.pack(">I", stream) + payload


def _literal(name_index: int, value: str, prefix_bits: int = 4) -> bytes:
    """HPACK literal header field without indexing, indexed name, raw (non-Huffman) value."""
    out = bytearray(_integer(name_index, prefix_bits, 0x00))
    out += _integer(len(value.encode()), 7, 0x00) + value.encode()
    return bytes(out)


def _integer(value: int, prefix_bits: int, first: int) -> bytes:
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


def header_block(authority: str) -> bytes:
    """:method POST, :scheme http, :path, :authority, content-type, te: trailers."""
    return (b"\x83\x86" + _literal(4, METHOD) + _literal(1, authority) + _literal(31, "application/grpc")
            + b"\x00" + _integer(2, 7, 0) + b"te" + _integer(8, 7, 0) + b"trailers")


class H2Connection(asyncio.Protocol):
    """Multiplexes calls; `call(on_done)` starts one and returns at once."""

    def __init__(self, authority: str, message: bytes, on_lost: Callable[[str], None]) -> None:
        self.headers = header_block(authority)
        self.body = b"\x00" + struct.pack(">I", len(message)) + message
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.next_stream = 1
        self.streams: dict[int, list] = {}  # id -> [on_done, t0, got_data]
        self.received = 0
        self.ready: asyncio.Future = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        settings = struct.pack(">HI", 0x2, 0) + struct.pack(">HI", 0x4, BIG_WINDOW)  # no push; big stream window
        transport.write(PREFACE + frame(SETTINGS, 0, 0, settings)
                        + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", BIG_WINDOW)))

    def connection_lost(self, exc) -> None:
        self.transport = None
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"gRPC connection closed: {exc or 'by server'}"))
        streams, self.streams = self.streams, {}
        for on_done, t0, _ in streams.values():
            on_done(perf_counter_ns() - t0, f"connection lost: {exc or 'closed by server'}")
        self.on_lost(str(exc or "closed by server"))

    def call(self, t0: int, on_done: Callable[[int, str | None], None]) -> None:
        stream = self.next_stream
        self.next_stream += 2
        self.streams[stream] = [on_done, t0, False]
        self.transport.write(frame(HEADERS, END_HEADERS, stream, self.headers) + frame(DATA, END_STREAM, stream,
                                                                                       self.body))

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        pos, size = 0, len(buf)
        while size - pos >= 9:
            length = (buf[pos] << 16) | (buf[pos + 1] << 8) | buf[pos + 2]
            if size - pos < 9 + length:
                break
            kind, flags = buf[pos + 3], buf[pos + 4]
            stream = int.from_bytes(buf[pos + 5:pos + 9], "big") & 0x7FFFFFFF
            self._frame(kind, flags, stream, bytes(buf[pos + 9:pos + 9 + length]))
            pos += 9 + length
        del buf[:pos]

    def _frame(self, kind: int, flags: int, stream: int, payload: bytes) -> None:
        if kind == DATA:
            self.received += len(payload)
            if self.received > BIG_WINDOW // 2:
                self.transport.write(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", self.received)))
                self.received = 0
            state = self.streams.get(stream)
            if state is not None:
                state[2] = True
        elif kind == HEADERS:
            pass
        elif kind == RST_STREAM:
            self._finish(stream, f"stream reset by server (code {int.from_bytes(payload[:4], 'big')})")
            return
        else:
            self._control(kind, flags, payload)
            return
        if flags & END_STREAM:
            state = self.streams.get(stream)
            self._finish(stream, None if state and state[2] else TRAILERS_ONLY)

    def _finish(self, stream: int, error: str | None) -> None:
        state = self.streams.pop(stream, None)
        if state is not None:
            state[0](perf_counter_ns() - state[1], error)

    def _control(self, kind: int, flags: int, payload: bytes) -> None:
        if kind == SETTINGS and not flags & ACK:
            self.transport.write(frame(SETTINGS, ACK, 0))
            if not self.ready.done():
                self.ready.set_result(None)
        elif kind == PING and not flags & ACK:
            self.transport.write(frame(PING, ACK, 0, payload))
        elif kind == GOAWAY:
            self.transport.close()


class H2Slot:
    """One outstanding call at a time, for the closed/open-loop drivers."""

    __slots__ = ("_done", "busy", "conn", "on_done")

    def __init__(self, conn: H2Connection, on_done: Callable) -> None:
        self.conn = conn
        self.on_done = on_done
        self.busy = False
        self._done = self._complete

    @property
    def alive(self) -> bool:
        return self.conn.transport is not None

    def send(self, t0: int) -> None:
        self.busy = True
        self.conn.call(t0, self._done)

    def _complete(self, latency_ns: int, error: str | None) -> None:
        self.busy = False
        self.on_done(self, latency_ns, error)


class GrpcTarget:
    """Slots share HTTP/2 connections, `per_connection` calls on each (as gRPC clients share channels)."""

    def __init__(self, url: str, model: str, request: bytes, per_connection: int = PER_CONNECTION) -> None:
        self.url = url
        self.model = model
        self.request = request
        self.per_connection = per_connection
        self.conns: list[H2Connection] = []
        self.handed_out = 0

    async def slot(self, on_done: Callable, on_lost: Callable) -> H2Slot:
        index = self.handed_out // self.per_connection
        self.handed_out += 1
        while len(self.conns) <= index or self.conns[index].transport is None:
            host, _, port = self.url.rpartition(":")
            loop = asyncio.get_running_loop()
            _, conn = await loop.create_connection(
                lambda: H2Connection(self.url, self.request, lambda _msg: None), host, int(port))
            await asyncio.wait_for(conn.ready, 10)
            if len(self.conns) <= index:
                self.conns.append(conn)
            else:
                self.conns[index] = conn
        return H2Slot(self.conns[index], on_done)

    def reset(self) -> None:
        """A new load level hands out slots from the first connection again."""
        self.handed_out = 0

    async def close(self) -> None:
        for conn in self.conns:
            if conn.transport is not None:
                conn.transport.close()

    async def error_details(self) -> str:
        """The server's message for a failing call, fetched once with the grpc package."""
        import grpc

        async with grpc.aio.insecure_channel(self.url) as channel:
            call = channel.unary_unary(METHOD, request_serializer=None, response_deserializer=None)
            try:
                await call(self.request, timeout=30)
            except grpc.aio.AioRpcError as exc:
                return f"{exc.code().name}: {exc.details()}"
        return TRAILERS_ONLY
