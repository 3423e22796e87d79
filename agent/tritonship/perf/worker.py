"""A load-generator process: one asyncio loop driving HTTP or gRPC requests for the controller.

Talks to the controller over a multiprocessing Pipe (see `loadgen`):
  controller -> ("level", dict)   start load: warm up, then report ("warm",)
  controller -> ("start", t_ns)   windows begin at t_ns; every window_ns send ("window", ...)
  controller -> ("stop",)         stop sending, wait for in-flight requests, send ("done", totals)
  controller -> ("exit",)
Latencies travel as bytes of an array('q') of nanoseconds.
"""

from __future__ import annotations

import asyncio
import pickle
import time
from array import array
from multiprocessing.connection import Connection
from time import perf_counter_ns

from tritonship.perf.generators import ClosedLoop, OpenLoop
from tritonship.perf.recorder import Recorder


def main(fd: int) -> None:
    """Process entry point: the first message holds (url, protocol, http_request, grpc_request, model)."""
    conn = Connection(fd)
    try:
        args = pickle.loads(conn.recv_bytes())  # noqa: S301 - sent by our parent process
        _run(Worker(conn, *args).serve())
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass


def _run(main_coro) -> None:
    """uvloop (libuv's C event loop) where installed: less CPU per request than asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main_coro)
        return
    uvloop.run(main_coro)


class Worker:
    def __init__(self, conn, url, protocol, http_request, grpc_request, model, /) -> None:  # noqa: PLR0917
        self.conn = conn
        host, _, port = url.rpartition(":")
        self.host, self.port = host, int(port)
        self.url = url
        self.protocol = protocol
        self.http_request = http_request
        self.grpc_request = grpc_request
        self.model = model
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.grpc = None

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self._read)
        if self.protocol == "grpc":
            from tritonship.perf.grpc_target import GrpcTarget

            self.grpc = GrpcTarget(self.url, self.model, self.grpc_request)
        self._send(("ready",))
        while True:
            message = await self.inbox.get()
            if message[0] == "exit":
                break
            if message[0] == "level":
                try:
                    await self.run_level(message[1])
                except (TimeoutError, OSError) as exc:
                    self._send(("failed", f"{type(exc).__name__}: {exc}"))
        if self.grpc is not None:
            await self.grpc.close()

    def _send(self, message: tuple) -> None:
        self.conn.send_bytes(b"P" + pickle.dumps(message))

    def _read(self) -> None:
        try:
            self.inbox.put_nowait(self.conn.recv())
        except EOFError:
            self.inbox.put_nowait(("exit",))

    async def _next(self, kind: str):
        while True:
            message = await self.inbox.get()
            if message[0] in (kind, "stop", "exit"):
                return message

    def _factory(self):
        if self.protocol == "grpc":
            self.grpc.reset()
            return self.grpc.slot
        from tritonship.perf.http_load import open_connection

        async def factory(on_done, on_lost):
            return await open_connection(self.host, self.port, self.http_request, on_done, on_lost)

        return factory

    async def run_level(self, level: dict) -> None:
        recorder = Recorder()
        if level["mode"] == "concurrency":
            driver = ClosedLoop(recorder, level["concurrency"])
        else:
            driver = OpenLoop(recorder, level["rate"], level["arrivals"], level["max_connections"], level["seed"])
        await driver.start(self._factory())
        await self._warm_up(recorder, level["warmup_requests"])
        self._send(("warm",))
        message = await self._next("start")
        if message[0] == "start":
            await self._windows(recorder, message[1], level["window_ns"])
        await driver.stop()
        self._send(("done", {"sent": recorder.sent, "ok": recorder.total_ok, "errors": recorder.total_errors,
                                 "first_error": recorder.first_error}))

    async def _warm_up(self, recorder: Recorder, requests: int) -> None:
        deadline = time.monotonic() + 30
        while recorder.completed < requests and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    async def _windows(self, recorder: Recorder, start_ns: int, window_ns: int) -> None:
        """Keep load running; at each boundary hand the window's samples to the controller."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, (start_ns - perf_counter_ns()) / 1e9))
        recorder.swap()
        recorder.recording = True
        index, last_ns, last_cpu = 0, perf_counter_ns(), time.process_time_ns()
        stop = asyncio.ensure_future(self._next("stop"))
        while True:
            boundary = start_ns + (index + 1) * window_ns
            timer = loop.create_future()
            handle = loop.call_later(max(0.0, (boundary - perf_counter_ns()) / 1e9),
                                    lambda f=timer: f.done() or f.set_result(None))
            await asyncio.wait([timer, stop], return_when=asyncio.FIRST_COMPLETED)
            if stop.done():
                handle.cancel()
                recorder.recording = False
                return
            now, cpu = perf_counter_ns(), time.process_time_ns()
            latencies, errors = recorder.swap()
            self.conn.send_bytes(_window_message(index, errors, now - last_ns, cpu - last_cpu, latencies))
            index, last_ns, last_cpu = index + 1, now, cpu


def _window_message(index: int, errors: int, duration_ns: int, cpu_ns: int, latencies: list[int]) -> bytes:
    return b"W" + array("q", [index, errors, duration_ns, cpu_ns, *latencies]).tobytes()


if __name__ == "__main__":
    import sys

    main(int(sys.argv[1]))
