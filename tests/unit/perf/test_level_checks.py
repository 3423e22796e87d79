"""Which gates a level gets: the shared budget, a per-level budget, the baseline's same level."""

from __future__ import annotations

from tests.unit.perf.builders import level_result, perf_result

from tritonship.perf.loadgen import Level
from tritonship.perf.result import to_dict
from tritonship.perf.runner import PerfConfig, auto_workers, level_checks
from tritonship.spec.perf import Budget


def config(**kw) -> PerfConfig:
    return PerfConfig(model="add_sub", levels=(Level("concurrency", 1),), **kw)


def baseline_of(*levels) -> dict:
    return {"verb": "perf", **to_dict(perf_result(levels=levels))}


def test_per_level_budget_replaces_the_shared_one():
    cfg = config(budget=Budget(p99_ms=100), budgets={"c4": Budget(p99_ms=0.1)})
    assert [c.passed for c in level_checks(level_result(1), cfg)] == [True]
    c4 = level_checks(level_result(4), cfg)
    assert [(c.check, c.passed) for c in c4] == [("p99 budget", False)]


def test_regression_against_the_same_level_of_the_baseline():
    cfg = config(baseline=baseline_of(level_result(1, latency_us=500)), max_increase_pct=10, min_increase_ms=0.1)
    same = level_checks(level_result(1, latency_us=500), cfg)
    assert [c.passed for c in same] == [True, True]
    slower = level_checks(level_result(1, latency_us=1500), cfg)
    assert [c.passed for c in slower] == [False, False]


def test_level_missing_from_the_baseline_is_reported_not_failed():
    cfg = config(baseline=baseline_of(level_result(1)))
    (check,) = level_checks(level_result(16), cfg)
    assert check.passed and check.measured == "absent" and "c16" in check.detail


def test_auto_workers_leave_cores_to_the_server():
    assert auto_workers((Level("concurrency", 16),), cpus=2) == 1
    assert auto_workers((Level("concurrency", 256),), cpus=16) == 4
    assert auto_workers((Level("rate", 1000.0),), cpus=16) == 1
