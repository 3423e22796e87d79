"""One load level: warm up, measure windows until the last three agree (or trials run out), summarise."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns

from tritonship.errors import InfraError
from tritonship.perf import histogram, stability
from tritonship.perf.loadgen import Level, LoadGenerator
from tritonship.perf.server_stats import CountCheck, ServerSplit, StatsReader, count_check, delta
from tritonship.perf.windows import Window, combined

SATURATED = 0.9  # share of one core above which the load generator may be the bottleneck


@dataclass(frozen=True)
class MeasureSettings:
    window_s: float = 2.0
    stability_pct: float = 10.0
    max_trials: int = 10
    warmup_requests: int = 20
    batch: int = 1
    max_connections: int = 256


@dataclass(frozen=True)
class WindowSummary:
    index: int
    throughput: float
    avg_ms: float
    requests: int
    errors: int
    client_cpu: float

    def as_dict(self) -> dict:
        return {"index": self.index, "throughput": round(self.throughput, 2), "avg_ms": round(self.avg_ms, 4),
                "requests": self.requests, "errors": self.errors, "client_cpu": round(self.client_cpu, 3)}


@dataclass(frozen=True)
class LevelResult:
    level: Level
    windows: tuple[WindowSummary, ...]
    stable: bool
    stability: str
    throughput: float  # inferences/s over the reported (last 3) windows
    latency: histogram.LatencySummary
    histogram: str  # HDR encoding of the reported windows' latencies (us)
    server: ServerSplit | None
    counts: CountCheck
    errors: int  # failed requests in the reported windows
    error_rate: float
    client_cpu: float  # busiest window's load-generator CPU, share of one core per worker
    client_cpu_us_per_request: float  # load-generator CPU (all workers) per request, reported windows
    warnings: tuple[str, ...]
    first_error: str | None


def summarize_window(window: Window, batch: int) -> WindowSummary:
    return WindowSummary(window.index, window.throughput(batch), window.avg_latency_ns / 1e6, window.requests,
                         window.errors, window.cpu_fraction)


def measure_level(loadgen: LoadGenerator, stats: StatsReader | None, level: Level, settings: MeasureSettings,
                  on_window: Callable[[Level, WindowSummary, stability.Stability], None] | None = None) -> LevelResult:
    before = _snapshot(stats)
    loadgen.start_level(level, settings.window_s, settings.warmup_requests, settings.max_connections)
    loadgen.start_windows(perf_counter_ns() + 20_000_000)
    snaps = [_snapshot(stats)]
    windows: list[Window] = []
    try:
        while True:
            windows.append(loadgen.next_window())
            snaps.append(_snapshot(stats))
            verdict = stability.check(windows, settings.stability_pct)
            if on_window:
                on_window(level, summarize_window(windows[-1], settings.batch), verdict)
            if verdict.stable or len(windows) >= settings.max_trials:
                break
    except BaseException:
        with contextlib.suppress(Exception):  # the first failure is the one to report
            loadgen.stop()
        raise
    totals = loadgen.stop()
    after = settled_snapshot(stats, before, totals.sent)
    reported = windows[-3:]
    merged = combined(reported)
    hist = histogram.from_ns(merged.latencies_ns)
    split = delta(snaps[-len(reported) - 1], snaps[-1]) if snaps[0] and snaps[-1] and snaps[-len(reported) - 1] \
        else None
    whole = delta(before, after) if before and after else None
    attempted = merged.requests + merged.errors
    client_cpu = max(w.cpu_fraction for w in windows)
    warnings = []
    if client_cpu > SATURATED:
        warnings.append(f"load generator CPU at {client_cpu:.0%} of a core per worker: the client may limit "
                        "these figures (try --workers)")
    if not verdict.stable:
        warnings.append(f"not stable after {len(windows)} windows: {verdict.reason}")
    return LevelResult(
        level=level, windows=tuple(summarize_window(w, settings.batch) for w in windows), stable=verdict.stable,
        stability=verdict.reason, throughput=merged.throughput(settings.batch),
        latency=histogram.summarize(hist), histogram=histogram.encode(hist), server=split,
        counts=count_check(totals.sent, whole), errors=merged.errors,
        error_rate=merged.errors / attempted if attempted else 0.0, client_cpu=client_cpu,
        client_cpu_us_per_request=merged.cpu_s * 1e6 / attempted if attempted else 0.0,
        warnings=tuple(warnings), first_error=totals.first_error,
    )


def settled_snapshot(stats: StatsReader | None, before, sent: int, *, attempts: int = 20, pause_s: float = 0.05,
                     sleep: Callable[[float], None] = time.sleep):
    """The statistics after a level, once they count every request the client saw answered.

    Triton records a request's statistics when the backend releases it (InferenceRequest::ReportStatistics),
    which can come just after the response reached the client, notably for large responses: re-read briefly
    (at most `attempts` x `pause_s`) instead of reporting a shortfall that is only that lag.
    """
    after = _snapshot(stats)
    for _ in range(attempts):
        if before is None or after is None:
            return after
        counted = (after.success[0] - before.success[0]) + (after.fail[0] - before.fail[0])
        if counted >= sent:
            return after
        sleep(pause_s)
        after = _snapshot(stats)
    return after


def _snapshot(stats: StatsReader | None):
    if stats is None:
        return None
    try:
        return stats.snapshot()
    except InfraError:
        return None
