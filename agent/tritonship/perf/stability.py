"""When is a load level measured well enough? perf_analyzer's rule, as a pure function.

Stable when the last `count` windows agree within `pct` percent in throughput and in latency (the mean,
or a chosen percentile): every value lies within pct% of their mean. Trials are bounded by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tritonship.perf.windows import Window


@dataclass(frozen=True)
class Stability:
    stable: bool
    throughput_spread_pct: float
    latency_spread_pct: float
    reason: str


def spread_pct(values: Sequence[float]) -> float:
    """Largest distance of a value from the mean, in percent of the mean (0 when all are equal)."""
    mean = sum(values) / len(values)
    if mean == 0:
        return 0.0 if all(v == 0 for v in values) else float("inf")
    return max(abs(v - mean) for v in values) / mean * 100.0


def latency_of(window: Window, percentile: float | None) -> float:
    if percentile is None:
        return window.avg_latency_ns
    if not window.latencies_ns:
        return 0.0
    ordered = sorted(window.latencies_ns)
    return float(ordered[min(len(ordered) - 1, int(len(ordered) * percentile / 100.0))])


def check(windows: Sequence[Window], pct: float, count: int = 3, percentile: float | None = None) -> Stability:
    """Are the last `count` windows stable within `pct` percent?"""
    if len(windows) < count:
        return Stability(False, float("inf"), float("inf"), f"{len(windows)} of {count} windows measured")
    last = windows[-count:]
    if any(w.requests == 0 for w in last):
        return Stability(False, float("inf"), float("inf"), "a window completed no request")
    thr = spread_pct([w.throughput() for w in last])
    lat = spread_pct([latency_of(w, percentile) for w in last])
    if thr <= pct and lat <= pct:
        return Stability(True, thr, lat, f"last {count} windows within {pct:g}%")
    return Stability(False, thr, lat, f"throughput varies {thr:.1f}%, latency {lat:.1f}% (limit {pct:g}%)")


def should_stop(windows: Sequence[Window], pct: float, max_trials: int, count: int = 3) -> bool:
    """Stop measuring once stable, or after `max_trials` windows (the result then says unstable)."""
    return check(windows, pct, count).stable or len(windows) >= max_trials
