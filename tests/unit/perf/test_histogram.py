"""HDR-histogram percentiles and the encoding kept in result.json for the next baseline."""

from __future__ import annotations

from tritonship.perf import histogram


def test_percentiles_of_a_known_distribution():
    hist = histogram.from_ns(i * 1000 for i in range(1, 1001))  # 1..1000 us
    s = histogram.summarize(hist)
    assert s.count == 1000
    assert abs(s.p50 - 0.5) < 0.001
    assert abs(s.p90 - 0.9) < 0.001
    assert abs(s.p99 - 0.99) < 0.001
    assert abs(s.max - 1.0) < 0.001
    assert abs(s.avg - 0.5005) < 0.001


def test_encoding_round_trips():
    hist = histogram.from_ns([300_000, 450_000, 450_000, 2_000_000])
    again = histogram.decode(histogram.encode(hist))
    assert histogram.summarize(again) == histogram.summarize(hist)


def test_expand_reproduces_the_distribution():
    hist = histogram.from_ns([1_000_000] * 900 + [5_000_000] * 100)
    values = histogram.expand(hist, limit=100)
    assert len(values) == 100
    assert sum(1 for v in values if v > 4) == 10


def test_empty_histogram_summarises_to_zero():
    assert histogram.summarize(histogram.new_histogram()).count == 0
    assert histogram.expand(histogram.new_histogram()) == []
