"""Stability: perf_analyzer's rule (last 3 windows within X%) with synthetic windows."""

from __future__ import annotations

from tests.unit.perf.builders import window

from tritonship.perf.stability import check, should_stop, spread_pct


def test_three_agreeing_windows_are_stable():
    windows = [window(i, requests=1000 + 10 * i, latency_us=500 + 5 * i) for i in range(3)]
    verdict = check(windows, pct=10)
    assert verdict.stable
    assert verdict.throughput_spread_pct < 10


def test_fewer_than_three_windows_are_never_stable():
    verdict = check([window(0), window(1)], pct=10)
    assert not verdict.stable
    assert "2 of 3" in verdict.reason


def test_throughput_swing_is_unstable():
    windows = [window(0, requests=1000), window(1, requests=1500), window(2, requests=1000)]
    verdict = check(windows, pct=10)
    assert not verdict.stable
    assert "throughput" in verdict.reason


def test_latency_swing_is_unstable_even_with_steady_throughput():
    windows = [window(0, latency_us=500), window(1, latency_us=800), window(2, latency_us=500)]
    assert not check(windows, pct=10).stable
    assert check(windows, pct=40).stable


def test_only_the_last_three_windows_count():
    windows = [window(0, requests=100), window(1, requests=1000), window(2, requests=1010), window(3, requests=990)]
    assert check(windows, pct=5).stable


def test_a_window_without_completions_is_unstable():
    windows = [window(0), window(1), window(2, requests=0)]
    assert not check(windows, pct=50).stable


def test_trials_are_bounded():
    noisy = [window(i, requests=1000 if i % 2 else 2000) for i in range(10)]
    assert not should_stop(noisy[:9], pct=10, max_trials=10)
    assert should_stop(noisy, pct=10, max_trials=10)


def test_spread_pct():
    assert spread_pct([100, 100, 100]) == 0
    assert spread_pct([90, 100, 110]) == 10
    assert spread_pct([0, 0, 0]) == 0
