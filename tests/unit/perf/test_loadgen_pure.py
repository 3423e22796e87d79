"""Pure parts of the load generator: arrival schedules, window merging."""

from __future__ import annotations

import itertools
import statistics

from tests.unit.perf.builders import window

from tritonship.perf.generators import arrival_times
from tritonship.perf.windows import combined, merge


def test_constant_arrivals_are_evenly_spaced():
    times = list(itertools.islice(arrival_times(100.0, "constant", 0), 5))
    assert times == [0, 10_000_000, 20_000_000, 30_000_000, 40_000_000]


def test_poisson_arrivals_have_the_right_mean_rate_and_vary():
    times = list(itertools.islice(arrival_times(1000.0, "poisson", 0, seed=1), 20001))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert abs(statistics.mean(gaps) - 1e6) / 1e6 < 0.03
    assert statistics.pstdev(gaps) > 0.8e6  # exponential: stdev == mean


def test_merge_sums_workers_and_combined_spans_windows():
    a, b = window(0, requests=100, duration_s=1.0), window(0, requests=50, duration_s=1.0)
    merged = merge([a, b])
    assert merged.requests == 150 and merged.throughput() == 150 and merged.workers == 2
    both = combined([window(0, requests=100), window(1, requests=300)])
    assert both.requests == 400 and both.duration_s == 2.0 and both.throughput() == 200

