"""Latency percentiles from an HDR histogram (microsecond values, 3 significant digits).

The histogram's compressed encoding goes into result.json so a result can serve as the next baseline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour
DIGITS = 3
PERCENTILES = (50, 90, 95, 99)


@dataclass(frozen=True)
class LatencySummary:
    """Latency in milliseconds."""

    count: int
    p50: float
    p90: float
    p95: float
    p99: float
    max: float
    avg: float
    min: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 4) for k in ("p50", "p90", "p95", "p99", "max", "avg", "min")}


def new_histogram():
    from hdrh.histogram import HdrHistogram

    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


def from_ns(latencies_ns: Iterable[int]):
    hist = new_histogram()
    record = hist.record_value
    for ns in latencies_ns:
        record(min(HIGHEST_US, max(LOWEST_US, (ns + 500) // 1000)))
    return hist


def summarize(hist) -> LatencySummary:
    if hist.get_total_count() == 0:
        return LatencySummary(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    values = hist.get_percentile_to_value_dict(list(PERCENTILES))
    return LatencySummary(
        count=hist.get_total_count(),
        p50=values[50] / 1000, p90=values[90] / 1000, p95=values[95] / 1000, p99=values[99] / 1000,
        max=hist.get_max_value() / 1000, avg=hist.get_mean_value() / 1000, min=hist.get_min_value() / 1000,
    )


def encode(hist) -> str:
    return hist.encode().decode("ascii")


def decode(text: str):
    from hdrh.histogram import HdrHistogram

    return HdrHistogram.decode(text.encode("ascii"))


def expand(hist, limit: int = 5000) -> list[float]:
    """Values (ms) reproducing the histogram's distribution, thinned evenly to at most `limit` values."""
    total = hist.get_total_count()
    if total == 0:
        return []
    step = max(1.0, total / limit)
    out: list[float] = []
    seen, next_pick = 0, 0.0
    for item in hist.get_recorded_iterator():
        value = hist.get_highest_equivalent_value(item.value_iterated_to) / 1000
        seen += item.count_at_value_iterated_to
        while next_pick < seen:
            out.append(value)
            next_pick += step
    return out
