"""`analysis:` — metric checks during a promotion (Argo Rollouts semantics) and the statistical judge."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tritonship.spec.types import Duration, Strict

BUILTIN_METRICS = ("success_rate", "avg_latency_ms", "avg_queue_ms", "gpu_utilization")


class Limit(Strict):
    """A structured threshold: the value must lie within [min, max]. No expressions are evaluated."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Limit:
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        return self


class MetricCheck(Strict):
    name: str
    builtin: Literal["success_rate", "avg_latency_ms", "avg_queue_ms", "gpu_utilization"] | None = None
    query: str | None = Field(None, description="PromQL; {namespace} {app} {track} {model} are substituted.")
    success: Limit | None = Field(None, description="A measurement inside this range passes.")
    failure: Limit | None = Field(None, description="A measurement inside this range fails.")
    interval: Duration | None = None
    count: int | None = Field(None, ge=1)
    initial_delay: Duration | None = None
    failure_limit: int | None = Field(None, ge=0)
    inconclusive_limit: int | None = Field(None, ge=0)
    consecutive_error_limit: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _source(self) -> MetricCheck:
        if (self.builtin is None) == (self.query is None):
            raise ValueError("give exactly one of 'builtin' or 'query'")
        if self.success is None and self.failure is None:
            raise ValueError("give 'success', 'failure' or both")
        return self


class JudgedMetric(Strict):
    name: str
    builtin: Literal["success_rate", "avg_latency_ms", "avg_queue_ms", "gpu_utilization"] | None = None
    query: str | None = None
    direction: Literal["increase", "decrease", "either"] = Field(
        "increase", description="Which change is bad: 'increase' for latency, 'decrease' for success rate."
    )
    allowed_change_pct: float = Field(10.0, ge=0)
    allowed_change_abs: float | None = Field(None, ge=0, description=(
        "A change this small (in the metric's unit) always passes; decides alone when the baseline median is 0. "
        "Default: 1 ms for latencies, 0.001 for success_rate, 0.05 for gpu_utilization, 0 for queries."))
    critical: bool = False
    weight: float = Field(1.0, gt=0)


class JudgeSpec(Strict):
    metrics: list[JudgedMetric] = Field(default_factory=list)
    confidence: float = Field(0.98, gt=0, lt=1)
    marginal: float = Field(75.0, ge=0, le=100)
    passing: float = Field(95.0, ge=0, le=100, alias="pass")
    samples: int = Field(20, ge=3, description="Samples per metric and track.")
    interval: Duration | None = Field(None, description=(
        "Time between samples; never less than analysis.window (samples must not share data). Default: window."))


class AnalysisSpec(Strict):
    prometheus: str | None = Field(None, description="Prometheus base URL; TRITONSHIP_PROMETHEUS_URL overrides.")
    model: str | None = Field(None, description="Triton model the built-in queries look at; default: all models.")
    window: Duration = Field(60.0, description="Range of rate() in built-in queries ({window} in custom ones).")
    interval: Duration = 30.0
    count: int = Field(5, ge=1)
    initial_delay: Duration | None = Field(None, description="Wait before the first measurement; default: window.")
    failure_limit: int = Field(0, ge=0)
    inconclusive_limit: int = Field(0, ge=0)
    consecutive_error_limit: int = Field(4, ge=0)
    metrics: list[MetricCheck] = Field(default_factory=list)
    judge: JudgeSpec | None = None
