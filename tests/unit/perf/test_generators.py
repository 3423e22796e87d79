"""The closed- and open-loop drivers' bookkeeping, driven by an in-process slot that answers after a delay.

The slot stands in for a connection to a server that takes SERVICE_S per request, one at a time.
"""

from __future__ import annotations

import asyncio

from tritonship.perf.generators import ClosedLoop, OpenLoop
from tritonship.perf.recorder import Recorder

SERVICE_S = 0.02


class DelayedSlot:
    def __init__(self, on_done, fail: bool = False) -> None:
        self.on_done = on_done
        self.fail = fail
        self.alive = True

    def send(self, t0: int) -> None:
        from time import perf_counter_ns

        loop = asyncio.get_running_loop()
        loop.call_later(SERVICE_S, lambda: self.on_done(self, perf_counter_ns() - t0, "boom" if self.fail else None))


def factory(fail: bool = False):
    async def make(on_done, _on_lost):
        return DelayedSlot(on_done, fail)

    return make


def run(coro):
    return asyncio.run(coro)


def test_closed_loop_keeps_concurrency_and_drains():
    async def scenario():
        recorder = Recorder()
        recorder.recording = True
        driver = ClosedLoop(recorder, concurrency=3)
        await driver.start(factory())
        await asyncio.sleep(0.15)
        await driver.stop()
        return recorder, driver

    recorder, driver = run(scenario())
    assert driver.inflight == 0
    assert recorder.sent == recorder.total_ok == len(recorder.latencies)
    assert recorder.sent >= 3 and recorder.sent % 3 == 0  # three slots, each always busy


def test_failures_are_counted_with_the_first_message():
    async def scenario():
        recorder = Recorder()
        recorder.recording = True
        driver = ClosedLoop(recorder, concurrency=1)
        await driver.start(factory(fail=True))
        await asyncio.sleep(0.07)
        await driver.stop()
        return recorder

    recorder = run(scenario())
    assert recorder.total_errors == recorder.sent and recorder.errors == recorder.sent
    assert recorder.first_error == "boom" and recorder.latencies == []


def test_open_loop_latency_runs_from_the_intended_send_time():
    """One connection, a 20 ms server, 200 requests/s: requests queue in the client, and that wait counts."""

    async def scenario():
        recorder = Recorder()
        recorder.recording = True
        driver = OpenLoop(recorder, rate=200.0, arrivals="constant", max_connections=1)
        await driver.start(factory())
        await asyncio.sleep(0.5)
        await driver.stop()
        return recorder, driver

    recorder, driver = run(scenario())
    assert driver.inflight == 0
    assert recorder.sent == recorder.total_ok == len(recorder.latencies)
    assert recorder.sent > 50  # the schedule, not the slow server, decided how many were sent
    assert max(recorder.latencies) > 5 * SERVICE_S * 1e9  # queueing behind the stalled server is measured
