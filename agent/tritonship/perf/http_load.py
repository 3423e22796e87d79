"""A lean HTTP/1.1 keep-alive client on asyncio protocols: one connection per outstanding request.

Each connection is a small state machine: write the prebuilt request bytes, parse just enough of the
response (status line and Content-Length) to know it is complete, then hand the latency to its owner,
which in closed loop writes the next request straight from the completion callback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import perf_counter_ns

_CONTENT_LENGTH = b"\r\ncontent-length:"


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection. `on_done(conn, latency_ns, error_or_None)` runs on each response."""

    def __init__(self, request: bytes, on_done: Callable[[HttpConnection, int, str | None], None],
                 on_lost: Callable[[HttpConnection, str], None]) -> None:
        self.request = request
        self.on_done = on_done
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.need = -1  # total bytes of the response being read, -1 until its header arrived
        self.header_end = 0
        self.status_ok = True
        self.t0 = 0
        self.busy = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.transport = None
        if self.busy:
            self.busy = False
            self.on_lost(self, f"connection lost: {exc or 'closed by server'}")

    @property
    def alive(self) -> bool:
        return self.transport is not None

    def send(self, t0: int) -> None:
        self.t0 = t0
        self.busy = True
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.need < 0 and not self.buf and self._whole_response(data):
            return
        buf = self.buf
        buf += data
        if self.need < 0 and not self._parse_header(buf):
            return
        if len(buf) < self.need:
            return
        now = perf_counter_ns()
        error = None if self.status_ok else _error_text(bytes(buf[self.header_end:self.need]))
        del buf[: self.need]
        self.need = -1
        self.busy = False
        self.on_done(self, now - self.t0, error)

    def _whole_response(self, data: bytes) -> bool:
        """Fast path: one read holding exactly one complete 200 response (the usual case)."""
        end = data.find(b"\r\n\r\n")
        if end < 0 or data[9:12] != b"200":
            return False
        pos = data.find(b"\r\nContent-Length: ", 0, end)
        if pos < 0:
            return False
        stop = data.find(b"\r\n", pos + 18)
        if end + 4 + int(data[pos + 18:stop]) != len(data):
            return False
        now = perf_counter_ns()
        self.busy = False
        self.on_done(self, now - self.t0, None)
        return True

    def _parse_header(self, buf: bytearray) -> bool:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(buf[:end]).lower()
        self.status_ok = head[9:12] == b"200"
        pos = head.find(_CONTENT_LENGTH)
        if pos < 0:  # Triton always sends Content-Length; anything else we cannot frame
            self.transport.close()
            return False
        start = pos + len(_CONTENT_LENGTH)
        stop = head.find(b"\r\n", start)
        length = int(head[start: stop if stop > 0 else len(head)])
        self.header_end = end + 4
        self.need = self.header_end + length
        return True


def _error_text(body: bytes) -> str:
    import json

    try:
        return str(json.loads(body).get("error", body[:200]))
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", "replace") or "HTTP error"


async def open_connection(host: str, port: int, request: bytes, on_done, on_lost) -> HttpConnection:
    loop = asyncio.get_running_loop()
    _transport, conn = await loop.create_connection(lambda: HttpConnection(request, on_done, on_lost), host, port)
    return conn
