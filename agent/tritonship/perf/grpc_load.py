"""gRPC load with grpc.aio and a pre-serialised ModelInferRequest: no per-request protobuf work.

The method is registered with identity (de)serialisers, so the same request bytes go out every time
and the response bytes are only parsed when the call failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import perf_counter_ns

_METHOD = "/inference.GRPCInferenceService/ModelInfer"


class GrpcTarget:
    """One channel shared by all slots of a worker (HTTP/2 multiplexes the calls)."""

    def __init__(self, url: str, model: str, request: bytes) -> None:
        import grpc

        self.channel = grpc.aio.insecure_channel(url, options=[("grpc.max_receive_message_length", -1)])
        self.call = self.channel.unary_unary(_METHOD, request_serializer=None, response_deserializer=None)
        self.request = request
        self.model = model

    async def slot(self, on_done: Callable, _on_lost: Callable) -> GrpcSlot:
        return GrpcSlot(self, on_done)

    async def close(self) -> None:
        await self.channel.close()


class GrpcSlot:
    __slots__ = ("busy", "on_done", "t0", "target", "task")

    def __init__(self, target: GrpcTarget, on_done: Callable) -> None:
        self.target = target
        self.on_done = on_done
        self.t0 = 0
        self.busy = False
        self.task: asyncio.Future | None = None

    def send(self, t0: int) -> None:
        self.t0 = t0
        self.busy = True
        self.task = asyncio.ensure_future(self._call())

    async def _call(self) -> None:
        import grpc

        try:
            await self.target.call(self.target.request)
            error = None
        except grpc.aio.AioRpcError as exc:
            error = f"{exc.code().name}: {exc.details()}"
        now = perf_counter_ns()
        self.busy = False
        self.on_done(self, now - self.t0, error)
