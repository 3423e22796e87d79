"""Budgets and the regression gate as pure functions over synthetic samples."""

from __future__ import annotations

import random

from tritonship.perf.gates import budget_checks, increase_pct, mann_whitney_p, regression_checks
from tritonship.spec.perf import Budget

LAT = {"p50": 1.0, "p90": 1.5, "p95": 2.0, "p99": 3.0}


def test_budget_passes_and_fails_per_limit():
    checks = budget_checks("c1", LAT, throughput=900.0, error_rate=0.0,
                           budget=Budget(p50_ms=2, p99_ms=2.5, min_throughput=1000, max_error_rate=0.01))
    verdicts = {c.check: c.passed for c in checks}
    assert verdicts == {"p50 budget": True, "p99 budget": False, "min throughput": False, "max error rate": True}
    failed = next(c for c in checks if c.check == "p99 budget")
    assert failed.limit == "<= 2.5 ms" and failed.measured == "3.000 ms"


def test_no_limits_no_checks():
    assert budget_checks("c1", LAT, 1.0, 0.0, Budget()) == []


def test_limit_is_inclusive():
    checks = budget_checks("c1", LAT, 1000.0, 0.0, Budget(p99_ms=3.0, min_throughput=1000))
    assert all(c.passed for c in checks)


def _samples(median: float, n: int = 2000, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    return [rng.lognormvariate(0, 0.2) * median for _ in range(n)]


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": ordered[len(ordered) // 2], "p99": ordered[int(len(ordered) * 0.99)]}


def _regression(current: list[float], baseline: list[float], max_pct: float = 10.0):
    return regression_checks("c1", _stats(current), _stats(baseline), current, baseline,
                             max_increase_pct=max_pct, alpha=0.01)


def test_same_distribution_passes():
    checks = _regression(_samples(1.0, seed=1), _samples(1.0, seed=2))
    assert [c.check for c in checks] == ["regression p50", "regression p99"]
    assert all(c.passed for c in checks)


def test_twice_as_slow_fails():
    checks = _regression(_samples(2.0, seed=1), _samples(1.0, seed=2))
    assert not any(c.passed for c in checks)
    assert "significant" in checks[0].detail


def test_significant_but_small_rise_passes():
    current, baseline = _samples(1.03, n=20000, seed=1), _samples(1.0, n=20000, seed=2)
    assert mann_whitney_p(current, baseline) < 0.01
    assert all(c.passed for c in _regression(current, baseline, max_pct=10))


def test_large_rise_on_too_few_samples_is_not_significant():
    checks = _regression([2.0, 1.0, 3.0], [1.0, 2.5, 1.5])
    assert all(c.passed for c in checks)


def test_faster_is_never_a_regression():
    checks = _regression(_samples(0.5, seed=1), _samples(1.0, seed=2))
    assert all(c.passed for c in checks)


def test_rise_below_the_absolute_floor_is_jitter():
    current, baseline = _samples(0.8, seed=1), _samples(0.4, seed=2)  # +100%, but only ~0.4 ms
    checks = regression_checks("c1", _stats(current), _stats(baseline), current, baseline,
                               max_increase_pct=10, alpha=0.01, min_increase_ms=1.0)
    assert all(c.passed for c in checks)
    checks = regression_checks("c1", _stats(current), _stats(baseline), current, baseline,
                               max_increase_pct=10, alpha=0.01, min_increase_ms=0.1)
    assert not any(c.passed for c in checks)


def test_increase_pct():
    assert increase_pct(1.5, 1.0) == 50.0
    assert increase_pct(0.0, 0.0) == 0.0


def test_limit_column_shows_the_whole_rule_and_detail_names_what_passed_it():
    current, baseline = _samples(0.8, seed=1), _samples(0.4, seed=2)  # +100%, ~0.4 ms: the floor passes it
    checks = regression_checks("c1", _stats(current), _stats(baseline), current, baseline,
                               max_increase_pct=25, alpha=0.01, min_increase_ms=1.0)
    assert checks[1].limit == "<= +25% or <= +1 ms (or p >= 0.01)"
    assert checks[1].measured.startswith("+") and checks[1].measured.endswith(" ms)")
    assert checks[1].passed and "absolute floor" in checks[1].detail


def test_limit_without_a_floor_shows_only_the_relative_rule():
    current, baseline = _samples(2.0, seed=1), _samples(1.0, seed=2)
    checks = regression_checks("c1", _stats(current), _stats(baseline), current, baseline,
                               max_increase_pct=10, alpha=0.05, min_increase_ms=0.0)
    assert checks[0].limit == "<= +10% (or p >= 0.05)"
    assert not checks[0].passed and "above both" in checks[0].detail
