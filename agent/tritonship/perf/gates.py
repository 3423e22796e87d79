"""Gates: latency/throughput/error budgets per load level, and the regression test against a baseline. Pure.

A regression fails only when it is both *significant* (one-sided Mann-Whitney U: the new latencies are
stochastically larger, p < alpha) and *large* (p50 or p99 rose more than `max_increase_pct`), so run-to-run
noise does not fail a build and a real slowdown always does. Rises below `min_increase_ms` are
jitter however large in percent (a 0.4 ms p99 becoming 0.8 ms is not an outage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_LATENCY_BUDGETS = ("p50", "p90", "p95", "p99")


@dataclass(frozen=True)
class GateCheck:
    level: str  # c4, r100
    check: str  # "p99 budget", "min throughput", "regression p50"...
    limit: str  # human-readable limit, e.g. "<= 25 ms"
    measured: str
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"level": self.level, "check": self.check, "limit": self.limit, "measured": self.measured,
                "verdict": "pass" if self.passed else "fail", "detail": self.detail}


def budget_checks(level: str, latency_ms: dict[str, float], throughput: float, error_rate: float,
                  budget: Any) -> list[GateCheck]:
    """One check per limit set in `budget` (an object with p50_ms..p99_ms, min_throughput, max_error_rate)."""
    checks = []
    for name in _LATENCY_BUDGETS:
        limit = getattr(budget, f"{name}_ms", None)
        if limit is not None:
            value = latency_ms[name]
            checks.append(GateCheck(level, f"{name} budget", f"<= {limit:g} ms", f"{value:.3f} ms", value <= limit))
    if getattr(budget, "min_throughput", None) is not None:
        limit = budget.min_throughput
        checks.append(GateCheck(level, "min throughput", f">= {limit:g} infer/s", f"{throughput:.1f} infer/s",
                                throughput >= limit))
    if getattr(budget, "max_error_rate", None) is not None:
        limit = budget.max_error_rate
        checks.append(GateCheck(level, "max error rate", f"<= {limit:.2%}", f"{error_rate:.2%}", error_rate <= limit))
    return checks


def increase_pct(current: float, baseline: float) -> float:
    if baseline <= 0:
        return 0.0 if current <= 0 else float("inf")
    return (current - baseline) / baseline * 100.0


def mann_whitney_p(current: Sequence[float], baseline: Sequence[float]) -> float:
    """One-sided p-value that `current` latencies are larger than `baseline`'s (1.0 when untestable)."""
    if len(current) < 2 or len(baseline) < 2:
        return 1.0
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(current, baseline, alternative="greater").pvalue)


def regression_checks(level: str, current: dict[str, float], baseline: dict[str, float],
                      current_samples: Sequence[float], baseline_samples: Sequence[float], *,
                      max_increase_pct: float, alpha: float, min_increase_ms: float = 0.0) -> list[GateCheck]:
    """p50 and p99 against the baseline's same level; fails only when significant and above both limits."""
    p = mann_whitney_p(current_samples, baseline_samples)
    significant = p < alpha
    checks = []
    for name in ("p50", "p99"):
        rise = increase_pct(current[name], baseline[name])
        rise_ms = current[name] - baseline[name]
        over_pct, over_ms = rise > max_increase_pct, rise_ms > min_increase_ms
        passed = not (significant and over_pct and over_ms)
        detail = (f"baseline {baseline[name]:.3f} ms, now {current[name]:.3f} ms; Mann-Whitney U p={p:.3g} "
                  f"({'significant' if significant else 'not significant'} at alpha {alpha:g}); "
                  f"{_regression_reason(passed, significant, over_pct, over_ms)}")
        checks.append(GateCheck(level, f"regression {name}", regression_limit(max_increase_pct, min_increase_ms, alpha),
                                f"{rise:+.1f}% ({rise_ms:+.3f} ms)", passed, detail))
    return checks


def regression_limit(max_increase_pct: float, min_increase_ms: float, alpha: float) -> str:
    """The whole rule in the limit column: a rise fails only above both limits and when significant."""
    floor = f" or <= +{min_increase_ms:g} ms" if min_increase_ms > 0 else ""
    return f"<= +{max_increase_pct:g}%{floor} (or p >= {alpha:g})"


def _regression_reason(passed: bool, significant: bool, over_pct: bool, over_ms: bool) -> str:
    if not passed:
        return "above both the relative limit and the absolute floor"
    if not over_pct:
        return "within the relative limit"
    if not over_ms:
        return "within the absolute floor (--min-increase-ms), though above the relative limit"
    return "above both limits, but not significant"


def absent_baseline_check(required: bool, reason: str) -> GateCheck:
    """The regression gate is configured but there is nothing to compare with: never silently skipped —
    a warning-level check by default, a failure with `regression.required: true`."""
    what = "failed: regression.required is true" if required else "not checked"
    return GateCheck("all", "regression", "baseline present", "absent", not required,
                     f"regression gate {what}: {reason}")


def missing_baseline_check(level: str, reason: str) -> GateCheck:
    """A level the baseline does not cover: reported, not failed (a new level has no history)."""
    return GateCheck(level, "regression", "baseline present", "absent", True, reason)
