"""Closed-loop (fixed concurrency) and open-loop (request rate) drivers over a set of connections.

A connection ("slot") is anything with `send(t0_ns)` that later calls `on_done(slot, latency_ns, error)`:
an HTTP keep-alive connection or a gRPC call slot. Open-loop latency runs from the *intended* send time,
so a stalled server cannot hide its own delay (coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from time import perf_counter_ns

from tritonship.perf.recorder import Recorder

SlotFactory = Callable[[Callable, Callable], Awaitable]  # (on_done, on_lost) -> slot


class ClosedLoop:
    """`concurrency` requests always in flight: each completion sends the next request at once."""

    def __init__(self, recorder: Recorder, concurrency: int) -> None:
        self.recorder = recorder
        self.concurrency = concurrency
        self.slots: list = []
        self.running = False
        self.inflight = 0
        self.drained: asyncio.Future | None = None

    async def start(self, factory: SlotFactory) -> None:
        self.slots = [await factory(self.on_done, self.on_lost) for _ in range(self.concurrency)]
        self.running = True
        for slot in self.slots:
            self._send(slot)

    def _send(self, slot) -> None:
        self.inflight += 1
        self.recorder.sent += 1
        slot.send(perf_counter_ns())

    def on_done(self, slot, latency_ns: int, error: str | None) -> None:
        self.inflight -= 1
        if error is None:
            self.recorder.success(latency_ns)
        else:
            self.recorder.failure(latency_ns, error)
        if self.running:
            self._send(slot)
        elif self.inflight == 0 and self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def on_lost(self, slot, message: str) -> None:
        """The server closed a connection with a request in flight: count a failure, lose the slot."""
        if slot in self.slots:
            self.slots.remove(slot)
        self.inflight -= 1
        self.recorder.failure(0, message)
        if self.inflight == 0 and self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    async def stop(self, timeout_s: float = 30.0) -> None:
        self.running = False
        if self.inflight:
            self.drained = asyncio.get_running_loop().create_future()
            await asyncio.wait_for(self.drained, timeout_s)


def arrival_times(rate: float, arrivals: str, start_ns: int, seed: int = 0) -> Iterator[int]:
    """Intended send times (ns): evenly spaced, or exponential gaps for Poisson arrivals."""
    rng = random.Random(seed)
    gap = 1e9 / rate
    t = float(start_ns)
    while True:
        yield int(t)
        t += rng.expovariate(1.0 / gap) if arrivals == "poisson" else gap


class OpenLoop:
    """Requests at a rate; a request waits for a free connection (new ones opened up to `max_connections`)."""

    def __init__(self, recorder: Recorder, rate: float, arrivals: str, max_connections: int, seed: int = 0) -> None:
        self.recorder = recorder
        self.rate = rate
        self.arrivals = arrivals
        self.max_connections = max_connections
        self.seed = seed
        self.free: list = []
        self.backlog: deque[int] = deque()
        self.opened = 0
        self.inflight = 0
        self.running = False
        self.factory: SlotFactory | None = None
        self.drained: asyncio.Future | None = None
        self._stop = threading.Event()
        self._tasks: set[asyncio.Future] = set()

    async def start(self, factory: SlotFactory) -> None:
        self.factory = factory
        for _ in range(min(4, self.max_connections)):
            self.free.append(await factory(self.on_done, self.on_lost))
            self.opened += 1
        self.running = True
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._schedule, args=(loop,), daemon=True).start()

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        """A thread with sub-millisecond sleeps: the event loop's timers only have 1 ms resolution."""
        for intended in arrival_times(self.rate, self.arrivals, perf_counter_ns(), self.seed):
            delay = (intended - perf_counter_ns()) / 1e9
            if delay > 0 and self._stop.wait(delay):
                return
            if self._stop.is_set():
                return
            loop.call_soon_threadsafe(self.fire, intended)

    def fire(self, intended: int) -> None:
        if not self.running:
            return
        self.recorder.sent += 1
        self.inflight += 1
        while self.free:
            slot = self.free.pop()
            if slot.alive:  # an idle keep-alive connection the server closed is dropped
                slot.send(intended)
                return
            self.opened -= 1
        self.backlog.append(intended)
        if self.opened < self.max_connections:
            self.opened += 1
            task = asyncio.ensure_future(self._open())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _open(self) -> None:
        try:
            slot = await self.factory(self.on_done, self.on_lost)
        except OSError as exc:
            self.opened -= 1
            if self.backlog:
                self._finish(self.backlog.popleft(), f"cannot connect: {exc}")
            return
        self._release(slot)

    def _release(self, slot) -> None:
        if self.backlog:
            slot.send(self.backlog.popleft())
        else:
            self.free.append(slot)

    def on_done(self, slot, latency_ns: int, error: str | None) -> None:
        self._record(latency_ns, error)
        self._release(slot)

    def on_lost(self, slot, message: str) -> None:
        self.opened -= 1
        self._record(0, message)

    def _finish(self, intended: int, error: str) -> None:
        self._record(perf_counter_ns() - intended, error)

    def _record(self, latency_ns: int, error: str | None) -> None:
        self.inflight -= 1
        if error is None:
            self.recorder.success(latency_ns)
        else:
            self.recorder.failure(latency_ns, error)
        if not self.running and self.inflight == 0 and self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    async def stop(self, timeout_s: float = 30.0) -> None:
        self.running = False
        self._stop.set()
        if self.inflight:
            self.drained = asyncio.get_running_loop().create_future()
            await asyncio.wait_for(self.drained, timeout_s)
