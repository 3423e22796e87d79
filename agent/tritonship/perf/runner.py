"""A whole `perf` run: resolve the request, measure every level, apply budgets and the regression gate."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tritonship.errors import BadInput, InfraError
from tritonship.perf import gates, histogram
from tritonship.perf.loadgen import Level, LoadGenerator
from tritonship.perf.measure import LevelResult, MeasureSettings, measure_level
from tritonship.perf.server_stats import StatsReader


@dataclass(frozen=True)
class PerfConfig:
    model: str
    levels: tuple[Level, ...]
    protocol: str = "http"
    measure: MeasureSettings = field(default_factory=MeasureSettings)
    workers: int | None = None  # None: decide from the load and the machine
    budget: Any = None  # spec Budget for every level
    budgets: Mapping[str, Any] = field(default_factory=dict)  # per level label
    max_increase_pct: float = 10.0
    alpha: float = 0.01
    min_increase_ms: float = 1.0
    baseline: Mapping[str, Any] | None = None  # a previous result.json
    baseline_path: str | None = None
    regression_configured: bool = False  # `regression:` in tritonship.yaml, a regression flag, or --baseline-from
    regression_required: bool = False
    baseline_absent_reason: str = "no baseline given (--baseline FILE, perf.baseline or --baseline-from ENV)"
    input_data: str | None = None
    shapes: Mapping[str, Sequence[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PerfResult:
    model: str
    protocol: str
    batch: int
    url: str
    workers: int
    levels: tuple[LevelResult, ...]
    checks: tuple[gates.GateCheck, ...]
    baseline: str | None
    regression: str = "off"  # off (not configured) | checked | absent (configured, no baseline)
    regression_required: bool = False

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def warnings(self) -> list[str]:
        absent = [c.detail for c in self.checks if c.level == "all" and c.check == "regression"]
        return absent + [f"{lr.level.label}: {w}" for lr in self.levels for w in lr.warnings]


def auto_workers(levels: Sequence[Level], cpus: int | None = None) -> int:
    """One asyncio worker drives ~64 connections comfortably; never take more than half the cores."""
    cpus = cpus or os.cpu_count() or 1
    biggest = max((lv.value for lv in levels if lv.mode == "concurrency"), default=1)
    return max(1, min(cpus // 2, math.ceil(biggest / 64)))


def run_perf(config: PerfConfig, http_url: str, grpc_url: str | None,
             on_window: Callable | None = None) -> PerfResult:
    from tritonship.perf.payload import build_payload

    model_config = _model_config(http_url, config.model)
    arrays = _arrays(model_config, config)
    outputs = [spec.name for spec in _outputs(model_config)]
    url = grpc_url if config.protocol == "grpc" else http_url
    if not url:
        raise BadInput("--protocol grpc needs the server's gRPC address (--grpc-url HOST:PORT)")
    payload = build_payload(config.model, url, config.measure.batch, arrays, outputs)
    if config.protocol == "grpc":
        from tritonship.perf.h2_frames import check_message_size

        check_message_size(len(payload.grpc))
    workers = config.workers or auto_workers(config.levels)
    stats = StatsReader(http_url, config.model)
    results = []
    timeout_s = max(60.0, 3 * config.measure.window_s + 30)
    with LoadGenerator(url, config.protocol, payload.http, payload.grpc, config.model,
                       workers=workers, timeout_s=timeout_s) as loadgen:
        for level in config.levels:
            results.append(measure_level(loadgen, stats, level, config.measure, on_window))
    checks = [c for lr in results for c in level_checks(lr, config)]
    regression, absent = regression_status(config)
    checks += absent
    return PerfResult(config.model, config.protocol, config.measure.batch, url, workers, tuple(results),
                      tuple(checks), config.baseline_path, regression, config.regression_required)


def regression_status(config: PerfConfig) -> tuple[str, list[gates.GateCheck]]:
    """off (not configured) | checked | absent — and, when absent, the check that says so. Pure."""
    if config.baseline is not None:
        return "checked", []
    if not config.regression_configured:
        return "off", []
    return "absent", [gates.absent_baseline_check(config.regression_required, config.baseline_absent_reason)]


def level_checks(result: LevelResult, config: PerfConfig) -> list[gates.GateCheck]:
    label = result.level.label
    budget = config.budgets.get(label, config.budget)
    checks = []
    if budget is not None:
        checks += gates.budget_checks(label, result.latency.as_dict(), result.throughput, result.error_rate, budget)
    if config.baseline is not None:
        checks += regression(result, config)
    return checks


def regression(result: LevelResult, config: PerfConfig) -> list[gates.GateCheck]:
    label = result.level.label
    base = next((lv for lv in config.baseline.get("levels", []) if lv.get("label") == label), None)
    if base is None:
        return [gates.missing_baseline_check(label, f"the baseline has no level {label}")]
    try:
        base_hist = histogram.decode(base["histogram"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"baseline {config.baseline_path}: level {label} has no readable histogram ({exc})") from exc
    current_hist = histogram.decode(result.histogram)
    return gates.regression_checks(
        label, result.latency.as_dict(), histogram.summarize(base_hist).as_dict(),
        histogram.expand(current_hist), histogram.expand(base_hist),
        max_increase_pct=config.max_increase_pct, alpha=config.alpha, min_increase_ms=config.min_increase_ms)


def _model_config(http_url: str, model: str):
    from tritonship.triton.client import CallFailed, TritonClient
    from tritonship.triton.inputs import as_config

    with TritonClient(http_url) as client:
        try:
            client.server_metadata()
        except CallFailed as exc:
            raise InfraError(f"cannot reach Triton at {http_url}: {exc}") from exc
        try:
            return as_config(client.model_config(model))
        except CallFailed as exc:
            raise BadInput(f"model {model!r} is not available on {http_url}: {exc}") from exc


def _arrays(model_config, config: PerfConfig):
    from tritonship.perf.inputs import request_arrays

    return request_arrays(model_config, config.measure.batch, config.input_data, config.shapes)


def _outputs(model_config):
    from tritonship.repository.config import tensor_specs

    return tensor_specs(model_config, "output")
