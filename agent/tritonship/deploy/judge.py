"""A Kayenta-style statistical judge: is the canary worse than the baseline, beyond noise?

Per metric: a two-sided Mann-Whitney U test of canary against baseline samples; the Hodges-Lehmann
estimate (median of all pairwise differences canary - baseline) as the effect size, with its
distribution-free confidence interval at the configured confidence. A metric is *high* or *low*
only when the change is significant (p < 1 - confidence and the interval excludes zero) *and* the
relative effect exceeds the allowed change; it fails only when that direction is the bad one.
A shift no larger than the metric's absolute tolerance always passes, and when the baseline median
is 0 (a queue time, often) the absolute tolerance alone decides: a relative change is undefined there.
Too few samples to form the interval is *nodata* — never a pass. The test assumes independent
samples: see analysis/samples.py for how they are taken, benchmarks/judge_false_alarm.py for the
false-alarm rate that results.

The score is the weighted share of judged metrics that passed (0..100). Verdict: a failed critical
metric -> fail; any metric without data -> inconclusive; score >= pass -> pass; score >= marginal
-> marginal; else fail. Everything here is a pure function of the samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_SAMPLES = 3
PASS, HIGH, LOW, NODATA = "pass", "high", "low", "nodata"


@dataclass(frozen=True)
class MetricSamples:
    name: str
    baseline: tuple[float, ...]
    canary: tuple[float, ...]
    direction: str = "increase"  # which change is bad: increase | decrease | either
    allowed_change_pct: float = 10.0
    critical: bool = False
    weight: float = 1.0
    allowed_change_abs: float = 0.0  # a shift this small (metric's unit) always passes


@dataclass(frozen=True)
class Effect:
    estimate: float  # Hodges-Lehmann shift, canary - baseline, in the metric's unit
    low: float
    high: float


@dataclass(frozen=True)
class MetricVerdict:
    name: str
    classification: str  # pass | high | low | nodata
    failed: bool
    reason: str
    n_baseline: int
    n_canary: int
    baseline_median: float | None = None
    canary_median: float | None = None
    p_value: float | None = None
    effect: Effect | None = None
    effect_pct: float | None = None
    critical: bool = False
    weight: float = 1.0
    direction: str = "increase"


@dataclass(frozen=True)
class JudgeResult:
    verdict: str  # pass | marginal | fail | inconclusive
    score: float | None
    reason: str
    metrics: tuple[MetricVerdict, ...]


def _z(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def hodges_lehmann(canary: Sequence[float], baseline: Sequence[float], confidence: float) -> Effect | None:
    """Shift estimate and its Moses confidence interval; None when the samples are too few for it."""
    n, m = len(canary), len(baseline)
    diffs = sorted(c - b for c in canary for b in baseline)
    total = n * m
    k = math.floor(total / 2 - _z(confidence) * math.sqrt(total * (n + m + 1) / 12))
    if n < MIN_SAMPLES or m < MIN_SAMPLES or k < 0:
        return None
    mid = total // 2
    estimate = diffs[mid] if total % 2 else (diffs[mid - 1] + diffs[mid]) / 2
    return Effect(estimate, diffs[k], diffs[total - 1 - k])


def mann_whitney_p(canary: Sequence[float], baseline: Sequence[float]) -> float:
    """Two-sided p-value; 1.0 when every value is tied (no evidence of a difference)."""
    if len(set(canary) | set(baseline)) <= 1:
        return 1.0
    from scipy.stats import mannwhitneyu

    p = float(mannwhitneyu(canary, baseline, alternative="two-sided").pvalue)
    return 1.0 if math.isnan(p) else p


def _median(values: Sequence[float]) -> float:
    from statistics import median

    return float(median(values))


def relative_pct(effect: float, reference: float) -> float | None:
    """The change in % of the baseline; None when the baseline is 0 (undefined, and not JSON)."""
    if effect == 0:
        return 0.0
    if reference == 0:
        return None
    return effect / abs(reference) * 100.0


def classify(samples: MetricSamples, effect: Effect, p_value: float, confidence: float) -> tuple[str, str]:
    """pass / high / low, and why, for a metric with enough samples."""
    pct = relative_pct(effect.estimate, _median(samples.baseline))
    significant = p_value < 1 - confidence and not (effect.low <= 0 <= effect.high)
    if not significant:
        return PASS, f"no significant change (p={p_value:.3g})"
    if abs(effect.estimate) <= samples.allowed_change_abs:
        return PASS, f"change {effect.estimate:+.4g} is within the absolute tolerance {samples.allowed_change_abs:g}"
    direction = HIGH if effect.estimate > 0 else LOW
    if pct is None:
        return direction, (f"baseline median is 0 and the change {effect.estimate:+.4g} exceeds the absolute "
                           f"tolerance {samples.allowed_change_abs:g} (p={p_value:.3g})")
    if abs(pct) <= samples.allowed_change_pct:
        return PASS, f"change {pct:+.1f}% is within the allowed {samples.allowed_change_pct:g}%"
    return direction, f"{pct:+.1f}% (p={p_value:.3g}), allowed {samples.allowed_change_pct:g}%"


def is_bad(classification: str, direction: str) -> bool:
    if classification == HIGH:
        return direction in ("increase", "either")
    if classification == LOW:
        return direction in ("decrease", "either")
    return False


def judge_metric(samples: MetricSamples, confidence: float) -> MetricVerdict:
    base = dict(name=samples.name, n_baseline=len(samples.baseline), n_canary=len(samples.canary),
                critical=samples.critical, weight=samples.weight, direction=samples.direction)
    effect = hodges_lehmann(samples.canary, samples.baseline, confidence)
    if effect is None:
        why = (f"too few samples for {confidence:.0%} confidence "
               f"(baseline {len(samples.baseline)}, canary {len(samples.canary)})")
        return MetricVerdict(classification=NODATA, failed=False, reason=why, **base)
    p_value = mann_whitney_p(samples.canary, samples.baseline)
    classification, reason = classify(samples, effect, p_value, confidence)
    return MetricVerdict(
        classification=classification,
        failed=is_bad(classification, samples.direction),
        reason=reason,
        baseline_median=_median(samples.baseline),
        canary_median=_median(samples.canary),
        p_value=p_value,
        effect=effect,
        effect_pct=relative_pct(effect.estimate, _median(samples.baseline)),
        **base,
    )


def score(verdicts: Sequence[MetricVerdict]) -> float | None:
    judged = [v for v in verdicts if v.classification != NODATA]
    total = sum(v.weight for v in judged)
    if not total:
        return None
    return round(100.0 * sum(v.weight for v in judged if not v.failed) / total, 2)


def judge(metrics: Sequence[MetricSamples], *, confidence: float = 0.98, marginal: float = 75.0,
          passing: float = 95.0) -> JudgeResult:
    verdicts = tuple(judge_metric(s, confidence) for s in metrics)
    result_score = score(verdicts)
    critical = [v.name for v in verdicts if v.critical and v.failed]
    nodata = [v.name for v in verdicts if v.classification == NODATA]
    if critical:
        return JudgeResult("fail", result_score, f"critical metric failed: {', '.join(critical)}", verdicts)
    if nodata or result_score is None:
        return JudgeResult("inconclusive", result_score, f"not enough data: {', '.join(nodata) or 'no metrics'}",
                           verdicts)
    failed = ", ".join(v.name for v in verdicts if v.failed) or "none"
    if result_score >= passing:
        return JudgeResult("pass", result_score, f"score {result_score:g} >= pass {passing:g}", verdicts)
    if result_score >= marginal:
        return JudgeResult("marginal", result_score,
                           f"score {result_score:g} is marginal (failed: {failed})", verdicts)
    return JudgeResult("fail", result_score, f"score {result_score:g} < marginal {marginal:g} (failed: {failed})",
                       verdicts)


def judge_to_dict(result: JudgeResult) -> dict:
    """The JSON shape of the judge in result.json."""
    return {
        "verdict": result.verdict,
        "score": result.score,
        "reason": result.reason,
        "metrics": [
            {
                "name": v.name, "classification": v.classification, "failed": v.failed, "reason": v.reason,
                "critical": v.critical, "weight": v.weight, "direction": v.direction,
                "n_baseline": v.n_baseline, "n_canary": v.n_canary,
                "baseline_median": v.baseline_median, "canary_median": v.canary_median, "p_value": v.p_value,
                "effect": None if v.effect is None else v.effect.estimate,
                "effect_ci": None if v.effect is None else [v.effect.low, v.effect.high],
                "effect_pct": v.effect_pct,
            }
            for v in result.metrics
        ],
    }
