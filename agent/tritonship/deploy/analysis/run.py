"""An analysis run with Argo Rollouts AnalysisRun semantics, as pure decisions plus one small loop.

Per metric: the first measurement after `initial_delay` (default: one query window, so fresh pods
have a full window of data), then one every `interval` until `count` measurements (errors do not
count, as in Argo). Each measurement is assessed against structured limits: inside `failure` ->
failed; inside `success` -> successful; outside both when both are given -> inconclusive; only
`success` given and missed -> failed; only `failure` given and missed -> successful. A failed query
is an *error* measurement, and so is an empty result, as in Argo Rollouts' Prometheus provider
("no values found", then "assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)"):
it is retried on the next interval and never a pass.

A metric is failed when failures > failure_limit, inconclusive when inconclusives >
inconclusive_limit, error when consecutive errors > consecutive_error_limit, successful when its
count is reached (and at least one measurement succeeded). A failed or errored metric ends the run
at once. The run takes the worst phase: error > failed > inconclusive > successful.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.deploy.analysis import MetricProvider, Reading
    from tritonship.deploy.analysis.prometheus import QueryLabels
    from tritonship.deploy.clock import Clock
    from tritonship.spec.analysis import AnalysisSpec, Limit

SUCCESSFUL, FAILED, INCONCLUSIVE, ERROR, RUNNING = "successful", "failed", "inconclusive", "error", "running"
_SEVERITY = {SUCCESSFUL: 0, RUNNING: 1, INCONCLUSIVE: 2, FAILED: 3, ERROR: 4}
COMPLETED = (SUCCESSFUL, FAILED, INCONCLUSIVE, ERROR)


@dataclass(frozen=True)
class Bounds:
    """A closed range; None on a side means unbounded."""

    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @classmethod
    def of(cls, limit: Limit | None) -> Bounds | None:
        return None if limit is None else cls(limit.min, limit.max)


@dataclass(frozen=True)
class MetricPlan:
    name: str
    query: str
    success: Bounds | None
    failure: Bounds | None
    interval: float = 30.0
    count: int = 5
    initial_delay: float = 0.0
    failure_limit: int = 0
    inconclusive_limit: int = 0
    consecutive_error_limit: int = 4


@dataclass(frozen=True)
class Measurement:
    at: float  # seconds since the run started
    phase: str
    value: float | None
    message: str = ""


@dataclass(frozen=True)
class Tally:
    successful: int = 0
    failed: int = 0
    inconclusive: int = 0
    errors: int = 0
    consecutive_errors: int = 0

    @property
    def count(self) -> int:  # errors are retried and do not count (Argo)
        return self.successful + self.failed + self.inconclusive


@dataclass(frozen=True)
class MetricResult:
    name: str
    query: str
    phase: str
    tally: Tally
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True)
class AnalysisResult:
    phase: str
    metrics: tuple[MetricResult, ...] = field(default_factory=tuple)
    duration_s: float = 0.0

    @property
    def message(self) -> str:
        bad = [m for m in self.metrics if m.phase != SUCCESSFUL]
        if not bad:
            return f"analysis {self.phase}"
        return "; ".join(f"{m.name}: {m.phase} ({_last_message(m)})" for m in bad)


def _last_message(result: MetricResult) -> str:
    for m in reversed(result.measurements):
        if m.phase != SUCCESSFUL:
            return m.message or f"value {m.value}"
    return "not measured"


def assess(reading: Reading, success: Bounds | None, failure: Bounds | None) -> tuple[str, str]:
    """The phase of one measurement and why."""
    if reading.error is not None:
        return ERROR, reading.error
    if reading.value is None:
        return ERROR, "no values found (no traffic yet, or the series does not exist: check the monitor's labels)"
    return _assess_value(reading.value, success, failure)


def _assess_value(value: float, success: Bounds | None, failure: Bounds | None) -> tuple[str, str]:
    if failure is not None and failure.contains(value):
        return FAILED, f"{value:g} is inside the failure range {_range(failure)}"
    if success is not None:
        if success.contains(value):
            return SUCCESSFUL, ""
        if failure is not None:
            return INCONCLUSIVE, f"{value:g} is in neither the success nor the failure range"
        return FAILED, f"{value:g} is outside the success range {_range(success)}"
    return SUCCESSFUL, ""


def _range(bounds: Bounds) -> str:
    low = "-inf" if bounds.min is None else f"{bounds.min:g}"
    high = "+inf" if bounds.max is None else f"{bounds.max:g}"
    return f"[{low}, {high}]"


def tally(measurements: Sequence[Measurement]) -> Tally:
    counts = {SUCCESSFUL: 0, FAILED: 0, INCONCLUSIVE: 0, ERROR: 0}
    consecutive = 0
    for m in measurements:
        counts[m.phase] += 1
        consecutive = consecutive + 1 if m.phase == ERROR else 0
    return Tally(counts[SUCCESSFUL], counts[FAILED], counts[INCONCLUSIVE], counts[ERROR], consecutive)


def metric_phase(plan: MetricPlan, measurements: Sequence[Measurement]) -> str:
    t = tally(measurements)
    if t.failed > plan.failure_limit:
        return FAILED
    if t.inconclusive > plan.inconclusive_limit:
        return INCONCLUSIVE
    if t.consecutive_errors > plan.consecutive_error_limit:
        return ERROR
    if t.count >= plan.count:
        return SUCCESSFUL if t.successful > 0 else INCONCLUSIVE  # no data is never a pass
    return RUNNING


def next_due(plan: MetricPlan, measurements: Sequence[Measurement]) -> float:
    """When (seconds since the run started) this metric is measured next."""
    if not measurements:
        return plan.initial_delay
    return measurements[-1].at + plan.interval


def run_phase(phases: Sequence[str]) -> str:
    return max(phases, key=_SEVERITY.__getitem__) if phases else SUCCESSFUL


def _measure(provider: MetricProvider, plan: MetricPlan, at: float) -> Measurement:
    from tritonship.deploy.analysis import Reading

    try:
        reading = provider.measure(plan.query)
    except Exception as exc:  # a provider bug or outage is a measurement error, not a crash
        reading = Reading(None, f"{type(exc).__name__}: {exc}")
    phase, message = assess(reading, plan.success, plan.failure)
    return Measurement(round(at, 3), phase, reading.value, message)


def run_analysis(plans: Sequence[MetricPlan], provider: MetricProvider, clock: Clock,
                 on_measurement: Callable[[str, Measurement], None] | None = None) -> AnalysisResult:
    """Measure every metric on its schedule until each completes, or one fails or errors."""
    start = clock.now()
    taken: dict[str, list[Measurement]] = {p.name: [] for p in plans}
    while True:
        phases = {p.name: metric_phase(p, taken[p.name]) for p in plans}
        active = [p for p in plans if phases[p.name] == RUNNING]
        if not active or any(ph in (FAILED, ERROR) for ph in phases.values()):
            break
        now = clock.now() - start
        due = [p for p in active if next_due(p, taken[p.name]) <= now]
        if not due:
            clock.sleep(min(next_due(p, taken[p.name]) for p in active) - now)
            continue
        for plan in due:
            measurement = _measure(provider, plan, clock.now() - start)
            taken[plan.name].append(measurement)
            if on_measurement is not None:
                on_measurement(plan.name, measurement)
    results = tuple(
        MetricResult(p.name, p.query, phases[p.name], tally(taken[p.name]), tuple(taken[p.name])) for p in plans
    )
    return AnalysisResult(run_phase([r.phase for r in results]), results, round(clock.now() - start, 3))


def plans_from_spec(analysis: AnalysisSpec, labels: QueryLabels, names: Sequence[str] = ()) -> list[MetricPlan]:
    """Metric plans for one track: the spec's checks (all, or those named), defaults from the analysis."""
    from tritonship.deploy.analysis.builtin import metric_query
    from tritonship.errors import BadInput

    known = {m.name: m for m in analysis.metrics}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BadInput(f"analysis step names unknown metrics: {', '.join(unknown)}",
                       hint=f"metrics defined under analysis.metrics: {', '.join(known) or 'none'}")
    chosen = [known[n] for n in names] if names else list(analysis.metrics)
    return [
        MetricPlan(
            name=m.name,
            query=metric_query(m.builtin, m.query, labels),
            success=Bounds.of(m.success),
            failure=Bounds.of(m.failure),
            interval=_pick(m.interval, analysis.interval),
            count=_pick(m.count, analysis.count),
            initial_delay=_pick(m.initial_delay, _pick(analysis.initial_delay, analysis.window)),
            failure_limit=_pick(m.failure_limit, analysis.failure_limit),
            inconclusive_limit=_pick(m.inconclusive_limit, analysis.inconclusive_limit),
            consecutive_error_limit=_pick(m.consecutive_error_limit, analysis.consecutive_error_limit),
        )
        for m in chosen
    ]


def _pick(value, default):
    return default if value is None else value


def result_to_dict(result: AnalysisResult) -> dict:
    """The JSON shape of an analysis run in result.json."""
    return {
        "phase": result.phase,
        "message": result.message,
        "duration_s": result.duration_s,
        "metrics": [
            {
                "name": m.name,
                "phase": m.phase,
                "query": m.query,
                "successful": m.tally.successful,
                "failed": m.tally.failed,
                "inconclusive": m.tally.inconclusive,
                "errors": m.tally.errors,
                "measurements": [
                    {"at_s": x.at, "phase": x.phase, "value": x.value, "message": x.message} for x in m.measurements
                ],
            }
            for m in result.metrics
        ],
    }
