"""gRPC load targets for the drivers: slots over shared HTTP/2 connections (see grpc_h2.H2Connection)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tritonship.perf.grpc_h2 import PER_CONNECTION, H2Connection
from tritonship.perf.h2_frames import MAX_CONCURRENT_STREAMS, grpc_message_prefix


class H2Slot:
    """One outstanding call at a time, for the closed/open-loop drivers.

    A call that ends because its connection is gone is reported through `on_lost` (the driver drops the
    slot, as it does for a closed HTTP connection), not `on_done`, so a driver never resends on a dead one.
    """

    __slots__ = ("_done", "busy", "conn", "on_done", "on_lost")

    def __init__(self, conn: H2Connection, on_done: Callable, on_lost: Callable | None = None) -> None:
        self.conn = conn
        self.on_done = on_done
        self.on_lost = on_lost
        self.busy = False
        self._done = self._complete

    @property
    def alive(self) -> bool:
        return self.conn.usable

    def send(self, t0: int) -> None:
        self.busy = True
        self.conn.call(t0, self._done)

    def _complete(self, latency_ns: int, error: str | None) -> None:
        self.busy = False
        if error is not None and self.on_lost is not None and not self.conn.usable:
            self.on_lost(self, error)
        else:
            self.on_done(self, latency_ns, error)


class GrpcTarget:
    """Slots share HTTP/2 connections: up to `per_connection` on each, fewer when the server's
    SETTINGS_MAX_CONCURRENT_STREAMS is lower (as gRPC clients share a channel)."""

    def __init__(self, url: str, model: str, request: bytes, per_connection: int = PER_CONNECTION) -> None:
        grpc_message_prefix(len(request))  # BadInput before any connection for a request Triton refuses
        self.url = url
        self.model = model
        self.request = request
        self.per_connection = per_connection
        self.conns: list[H2Connection] = []

    async def connect(self) -> H2Connection:
        host, _, port = self.url.rpartition(":")
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(
            lambda: H2Connection(self.url, self.request, lambda _msg: None), host.strip("[]"), int(port))
        await asyncio.wait_for(conn.ready, 10)
        return conn

    def capacity(self, conn: H2Connection) -> int:
        return max(1, min(self.per_connection, conn.peer[MAX_CONCURRENT_STREAMS]))

    async def slot(self, on_done: Callable, on_lost: Callable) -> H2Slot:
        self.conns = [c for c in self.conns if c.usable]
        conn = next((c for c in self.conns if c.slots < self.capacity(c)), None)
        if conn is None:
            conn = await self.connect()
            self.conns.append(conn)
        conn.slots += 1
        return H2Slot(conn, on_done, on_lost)

    def reset(self) -> None:
        """A new load level hands out slots from the first connection again."""
        for conn in self.conns:
            conn.slots = 0

    async def close(self) -> None:
        for conn in self.conns:
            if conn.transport is not None:
                conn.transport.close()
