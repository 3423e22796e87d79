"""The statistical judge against known distributions (pure functions, seeded samples)."""

from __future__ import annotations

import random

import pytest

from tritonship.deploy.judge import (
    HIGH,
    LOW,
    NODATA,
    PASS,
    MetricSamples,
    hodges_lehmann,
    judge,
    judge_metric,
    judge_to_dict,
)


def normal(mean: float, sd: float, n: int, seed: int) -> tuple[float, ...]:
    rng = random.Random(seed)
    return tuple(rng.gauss(mean, sd) for _ in range(n))


def latency(canary_mean: float, *, n: int = 50, direction="increase", allowed=10.0, critical=False, seed=1):
    return MetricSamples("latency", normal(20.0, 1.0, n, seed), normal(canary_mean, 1.0, n, seed + 100),
                         direction=direction, allowed_change_pct=allowed, critical=critical)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_identical_distributions_pass(seed):
    verdict = judge_metric(latency(20.0, seed=seed), confidence=0.98)
    assert verdict.classification == PASS and not verdict.failed


def test_shift_in_the_bad_direction_fails_and_in_the_good_direction_passes():
    worse = judge_metric(latency(26.0), confidence=0.98)  # +30% latency
    assert (worse.classification, worse.failed) == (HIGH, True)
    better = judge_metric(latency(14.0), confidence=0.98)  # -30%: good news for latency
    assert (better.classification, better.failed) == (LOW, False)
    either = judge_metric(latency(14.0, direction="either"), confidence=0.98)
    assert either.failed


def test_success_rate_drop_fails_when_decrease_is_bad():
    samples = MetricSamples("success", normal(0.999, 0.0005, 40, 7), normal(0.95, 0.01, 40, 8),
                            direction="decrease", allowed_change_pct=1.0)
    verdict = judge_metric(samples, confidence=0.98)
    assert (verdict.classification, verdict.failed) == (LOW, True)


def test_significant_but_small_change_is_within_allowance():
    verdict = judge_metric(latency(21.0, allowed=10.0), confidence=0.98)  # +5%, clearly significant
    assert verdict.p_value < 0.02
    assert verdict.classification == PASS and "within the allowed" in verdict.reason


def test_effect_size_estimates_the_shift_and_its_interval_covers_it():
    verdict = judge_metric(latency(23.0, n=80), confidence=0.98)
    effect = verdict.effect
    assert effect.estimate == pytest.approx(3.0, abs=0.5)
    assert effect.low < 3.0 < effect.high
    assert verdict.effect_pct == pytest.approx(15.0, abs=2.5)


def test_hodges_lehmann_exact_on_a_pure_shift():
    base = tuple(float(x) for x in range(20))
    effect = hodges_lehmann(tuple(x + 5 for x in base), base, 0.95)
    assert effect.estimate == 5.0 and effect.low < 5.0 < effect.high


def test_small_samples_are_inconclusive_never_a_pass():
    verdict = judge_metric(latency(40.0, n=3), confidence=0.98)
    assert verdict.classification == NODATA and not verdict.failed
    result = judge([latency(40.0, n=3)])
    assert result.verdict == "inconclusive"
    assert judge([]).verdict == "inconclusive"


def test_all_tied_samples_pass():
    same = MetricSamples("success", (1.0,) * 10, (1.0,) * 10, direction="decrease")
    verdict = judge_metric(same, confidence=0.98)
    assert verdict.classification == PASS and verdict.p_value == 1.0


def test_score_thresholds_and_critical_metrics():
    ok = [latency(20.0, seed=s) for s in range(1, 4)]
    bad = latency(30.0)
    weighted = [*ok, bad]  # 3 of 4 pass -> 75
    assert judge(weighted, marginal=75, passing=95).verdict == "marginal"
    assert judge(weighted, marginal=75, passing=95).score == 75.0
    assert judge(weighted, marginal=80, passing=95).verdict == "fail"
    assert judge(ok, marginal=75, passing=95).verdict == "pass"
    critical = [*ok, *ok, *ok, latency(30.0, critical=True)]  # score 90.9 but critical fails
    result = judge(critical, marginal=75, passing=80)
    assert result.verdict == "fail" and "critical metric failed: latency" in result.reason


def test_weights_change_the_score():
    heavy = MetricSamples("latency", normal(20, 1, 50, 1), normal(30, 1, 50, 2), weight=3.0)
    light = MetricSamples("other", normal(20, 1, 50, 3), normal(20, 1, 50, 4), weight=1.0)
    assert judge([heavy, light]).score == 25.0


def test_json_shape():
    doc = judge_to_dict(judge([latency(26.0)]))
    assert doc["verdict"] == "fail"
    metric = doc["metrics"][0]
    assert set(metric) == {"name", "classification", "failed", "reason", "critical", "weight", "direction",
                           "n_baseline", "n_canary", "baseline_median", "canary_median", "p_value", "effect",
                           "effect_ci", "effect_pct"}
    assert metric["classification"] == "high" and metric["effect_ci"][0] > 0


def test_zero_baseline_is_judged_by_the_absolute_tolerance_not_infinite_percent():
    import json

    baseline = (0.0,) * 20
    small = MetricSamples("queue", baseline, normal(0.3, 0.05, 20, 3), allowed_change_abs=1.0)
    verdict = judge_metric(small, confidence=0.98)
    assert verdict.classification == PASS and "absolute tolerance" in verdict.reason
    assert verdict.effect_pct is None
    json.dumps(judge_to_dict(judge([small])), allow_nan=False)  # no Infinity in result.json
    big = MetricSamples("queue", baseline, normal(5.0, 0.5, 20, 4), allowed_change_abs=1.0)
    worse = judge_metric(big, confidence=0.98)
    assert (worse.classification, worse.failed) == (HIGH, True) and "baseline median is 0" in worse.reason


def test_builtin_metrics_get_an_absolute_tolerance_and_samples_are_a_window_apart():
    from tritonship.deploy.analysis.samples import absolute_tolerance, sample_interval
    from tritonship.spec.analysis import JudgeSpec

    assert absolute_tolerance("avg_queue_ms", None) == 1.0
    assert absolute_tolerance("avg_queue_ms", 0.2) == 0.2
    assert absolute_tolerance(None, None) == 0.0
    assert sample_interval(JudgeSpec(), 60.0) == 60.0
    assert sample_interval(JudgeSpec(interval=5), 60.0) == 60.0  # never shorter than the window
    assert sample_interval(JudgeSpec(interval=120), 60.0) == 120.0
