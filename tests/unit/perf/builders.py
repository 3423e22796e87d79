"""Small builders for perf results, so tests say only what matters to them."""

from __future__ import annotations

import random

from tritonship.perf import histogram
from tritonship.perf.gates import GateCheck
from tritonship.perf.loadgen import Level
from tritonship.perf.measure import LevelResult, WindowSummary
from tritonship.perf.runner import PerfResult
from tritonship.perf.server_stats import ServerSplit, count_check
from tritonship.perf.windows import Window


def window(index: int = 0, requests: int = 1000, latency_us: int = 500, duration_s: float = 1.0,
           errors: int = 0, jitter: float = 0.0, seed: int = 0) -> Window:
    rng = random.Random(seed)
    lat = tuple(int(latency_us * 1000 * (1 + rng.uniform(-jitter, jitter))) for _ in range(requests))
    return Window(index=index, duration_s=duration_s, latencies_ns=lat, errors=errors, cpu_s=0.2)


def level_result(concurrency: int = 1, latency_us: int = 500, throughput: float = 1000.0, sent: int = 3000,
                 server_counted: int | None = None) -> LevelResult:
    hist = histogram.from_ns(int(latency_us * 1000 * (0.8 + 0.4 * i / 999)) for i in range(1000))
    counted = sent if server_counted is None else server_counted
    split = ServerSplit(counted, 0, counted, counted, 0.1, 0.01, 0.2, 0.02)
    return LevelResult(
        level=Level("concurrency", concurrency),
        windows=(WindowSummary(0, throughput, latency_us / 1000, 1000, 0, 0.2),),
        stable=True, stability="last 3 windows within 10%", throughput=throughput,
        latency=histogram.summarize(hist), histogram=histogram.encode(hist), server=split,
        counts=count_check(sent, split), errors=0, error_rate=0.0, client_cpu=0.2,
        client_cpu_us_per_request=40.0, warnings=(), first_error=None,
    )


def perf_result(levels: tuple[LevelResult, ...] | None = None, checks: tuple[GateCheck, ...] = ()) -> PerfResult:
    levels = levels or (level_result(1), level_result(4, latency_us=900, throughput=4000.0))
    return PerfResult(model="add_sub", protocol="http", batch=1, url="127.0.0.1:8000", workers=1, levels=levels,
                      checks=checks, baseline=None)
