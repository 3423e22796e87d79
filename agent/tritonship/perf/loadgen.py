"""The controller side of the load generator: worker processes, one load level at a time.

Workers are spawned once per run and reused for every level. Each runs its own asyncio loop (see
`worker`), so with several workers the client can use several cores; on a small machine one worker
leaves the rest to the server.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
import subprocess
import sys
from array import array
from dataclasses import dataclass
from multiprocessing.connection import Connection

from tritonship.errors import InfraError
from tritonship.perf.windows import Window, merge


@dataclass(frozen=True)
class Level:
    """One load level: a concurrency (closed loop) or a request rate (open loop)."""

    mode: str  # concurrency | rate
    value: float
    arrivals: str = "constant"

    @property
    def label(self) -> str:
        return f"c{int(self.value)}" if self.mode == "concurrency" else f"r{self.value:g}"


@dataclass(frozen=True)
class Totals:
    sent: int
    ok: int
    errors: int
    first_error: str | None


def split(total: float, parts: int) -> list[float]:
    """Share a concurrency (integers) or a rate over workers."""
    if isinstance(total, int) or float(total).is_integer():
        base, extra = divmod(int(total), parts)
        return [base + (1 if i < extra else 0) for i in range(parts)]
    return [total / parts] * parts


class LoadGenerator:
    """Context manager owning the worker processes."""

    def __init__(self, url: str, protocol: str, http_request: bytes, grpc_request: bytes, model: str, *,
                 workers: int = 1, timeout_s: float = 60.0) -> None:
        self.args = (url, protocol, http_request, grpc_request, model)
        self.count = max(1, workers)
        self.timeout_s = timeout_s
        self.pipes: list = []
        self.procs: list = []
        self.active: list = []

    def __enter__(self) -> LoadGenerator:
        try:
            for _ in range(self.count):
                self._spawn()
            for pipe in self.pipes:
                self._expect(pipe, "ready")
        except BaseException:
            self.__exit__()
            raise
        return self

    def _spawn(self) -> None:
        """`python -m tritonship.perf.worker FD`: independent of how the parent's __main__ was started."""
        parent, child = socket.socketpair()
        proc = subprocess.Popen([sys.executable, "-m", "tritonship.perf.worker", str(child.fileno())],
                                pass_fds=[child.fileno()])
        child.close()
        pipe = Connection(parent.detach())
        pipe.send_bytes(pickle.dumps(self.args))
        self.pipes.append(pipe)
        self.procs.append(proc)

    def __exit__(self, *_exc) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("exit",))
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for pipe in self.pipes:
            pipe.close()

    def _recv(self, pipe):
        if not pipe.poll(self.timeout_s):
            raise InfraError(f"load generator worker did not answer within {self.timeout_s:.0f}s")
        try:
            raw = pipe.recv_bytes()
        except EOFError as exc:
            raise InfraError("a load generator worker exited unexpectedly") from exc
        if raw[:1] == b"W":
            return ("window", _decode_window(raw[1:]))
        message = pickle.loads(raw[1:])  # noqa: S301 - our own child process
        if message[0] == "failed":
            raise InfraError(f"load generator could not reach the server: {message[1]}")
        return message

    def _expect(self, pipe, kind: str):
        message = self._recv(pipe)
        if message[0] != kind:
            raise InfraError(f"load generator protocol error: expected {kind}, got {message[0]}")
        return message

    def start_level(self, level: Level, window_s: float, warmup_requests: int, max_connections: int = 256,
                    seed: int = 0) -> None:
        """Start load and wait until every worker has warmed up."""
        shares = split(level.value if level.mode == "rate" else int(level.value), self.count)
        self.active = [(pipe, share) for pipe, share in zip(self.pipes, shares, strict=True) if share > 0]
        for i, (pipe, share) in enumerate(self.active):
            pipe.send(("level", {
                "mode": level.mode, "concurrency": int(share), "rate": float(share), "arrivals": level.arrivals,
                "max_connections": max(1, max_connections // len(self.active)), "seed": seed + i,
                "window_ns": int(window_s * 1e9), "warmup_requests": max(1, warmup_requests // len(self.active)),
            }))
        for pipe, _ in self.active:
            self._expect(pipe, "warm")

    def start_windows(self, start_ns: int) -> None:
        for pipe, _ in self.active:
            pipe.send(("start", start_ns))

    def next_window(self) -> Window:
        return merge([self._expect(pipe, "window")[1] for pipe, _ in self.active])

    def stop(self) -> Totals:
        for pipe, _ in self.active:
            pipe.send(("stop",))
        totals = []
        for pipe, _ in self.active:
            while (message := self._recv(pipe))[0] == "window":
                pass  # a window that ended while we were stopping
            totals.append(message[1])
        self.active = []
        first = next((t["first_error"] for t in totals if t["first_error"]), None)
        return Totals(sum(t["sent"] for t in totals), sum(t["ok"] for t in totals),
                      sum(t["errors"] for t in totals), first)


def _decode_window(raw: bytes) -> Window:
    values = array("q")
    values.frombytes(raw)
    index, errors, duration_ns, cpu_ns = values[:4]
    return Window(index=index, duration_s=duration_ns / 1e9, latencies_ns=tuple(values[4:]), errors=errors,
                  cpu_s=cpu_ns / 1e9)
