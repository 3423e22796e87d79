"""`perf:` — load levels, budgets and the regression gate."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from tritonship.spec.types import Duration, PositiveInt, Strict


class Budget(Strict):
    p50_ms: float | None = Field(None, gt=0)
    p90_ms: float | None = Field(None, gt=0)
    p95_ms: float | None = Field(None, gt=0)
    p99_ms: float | None = Field(None, gt=0)
    min_throughput: float | None = Field(None, ge=0, description="Inferences per second.")
    max_error_rate: float | None = Field(None, ge=0, le=1, description="Failed / sent, 0..1.")


class Regression(Strict):
    max_increase_pct: float = Field(10.0, ge=0, description="Largest allowed rise of p50/p99 over the baseline.")
    alpha: float = Field(0.01, gt=0, lt=1, description="Significance level of the Mann-Whitney U test.")
    min_increase_ms: float = Field(
        1.0, ge=0, description="Rises smaller than this (ms) are jitter, whatever their percentage."
    )
    required: bool = Field(
        False, description="No baseline found fails perf (default: a warning in every output and result.json)."
    )


class PerfSpec(Strict):
    model: str | None = Field(None, description="Model to measure.")
    concurrency: list[PositiveInt] = Field(
        default_factory=lambda: [1, 4], description="Closed-loop concurrency levels."
    )
    rate: list[Annotated[float, Field(gt=0)]] = Field(default_factory=list,
                                                      description="Open-loop request rates (requests/s).")
    arrivals: Literal["constant", "poisson"] = "constant"
    protocol: Literal["http", "grpc"] = "http"
    batch: int = Field(1, ge=1)
    window: Duration = Field(2.0, description="Length of one measurement window.")
    stability_pct: float = Field(10.0, gt=0, description="Last 3 windows must agree within this percentage.")
    max_trials: int = Field(10, ge=3)
    warmup_requests: int = Field(20, ge=0)
    workers: int | None = Field(None, ge=1, description="Load generator processes; empty: decided from the load.")
    input_data: str | None = Field(None, description="perf_analyzer-style JSON file or a folder of <input>.npy.")
    shapes: dict[str, list[PositiveInt]] = Field(
        default_factory=dict, description="Per input: the shape (without batch) for variable (-1) dimensions."
    )
    budget: Budget = Field(default_factory=Budget, description="Budget applied to every load level.")
    budgets: dict[str, Budget] = Field(
        default_factory=dict, description="Per load level ('c4' for concurrency 4, 'r100' for rate 100)."
    )
    regression: Regression = Field(default_factory=Regression)
    baseline: str | None = Field(None, description="result.json of the previous release.")
