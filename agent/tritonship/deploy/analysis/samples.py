"""Collecting the judge's samples: every judged metric, for baseline and canary, at the same moments.

The Mann-Whitney test assumes independent observations. A `rate(x[W])` read every few seconds
shares most of its data with the previous reading (Kayenta's judge works on per-interval series for
the same reason), so samples are taken at least one query window W apart (`sample_interval`): each
then covers scrapes no other sample covers. Readings without a value (no data or a failed query)
are left out: the judge then sees fewer samples and says "nodata" rather than pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tritonship.deploy.analysis.builtin import metric_query
from tritonship.deploy.judge import MetricSamples

if TYPE_CHECKING:
    from tritonship.deploy.analysis import MetricProvider
    from tritonship.deploy.analysis.prometheus import QueryLabels
    from tritonship.deploy.clock import Clock
    from tritonship.spec.analysis import JudgeSpec


# The absolute change that always passes, per built-in metric (its unit): a queue time of 0 ms that
# becomes 0.2 ms is noise, not +inf%.
ABSOLUTE_TOLERANCE = {"avg_latency_ms": 1.0, "avg_queue_ms": 1.0, "success_rate": 0.001, "gpu_utilization": 0.05}


def sample_interval(spec: JudgeSpec, window: float) -> float:
    """Seconds between samples: the spec's interval, never less than the query window (default: it)."""
    return max(spec.interval or 0.0, window)


def absolute_tolerance(builtin: str | None, given: float | None) -> float:
    return given if given is not None else ABSOLUTE_TOLERANCE.get(builtin or "", 0.0)


def collect_samples(spec: JudgeSpec, provider: MetricProvider, labels: QueryLabels, clock: Clock, *,
                    baseline: str = "baseline", canaries: Sequence[str] = ("canary",),
                    heartbeat: Callable[[], None] | None = None, window: float = 0.0) -> list[list[MetricSamples]]:
    """`spec.samples` rounds, `sample_interval` apart; one list of MetricSamples per canary track."""
    tracks = [baseline, *canaries]
    queries = {(m.name, t): metric_query(m.builtin, m.query, labels.with_track(t))
               for m in spec.metrics for t in tracks}
    values: dict[tuple[str, str], list[float]] = {key: [] for key in queries}
    for round_ in range(spec.samples):
        if round_:
            clock.sleep(sample_interval(spec, window))
        if heartbeat is not None:
            heartbeat()
        for key, query in queries.items():
            reading = provider.measure(query)
            if reading.error is None and reading.value is not None:
                values[key].append(reading.value)
    return [
        [
            MetricSamples(m.name, tuple(values[(m.name, baseline)]), tuple(values[(m.name, canary)]),
                          direction=m.direction, allowed_change_pct=m.allowed_change_pct, critical=m.critical,
                          weight=m.weight, allowed_change_abs=absolute_tolerance(m.builtin, m.allowed_change_abs))
            for m in spec.metrics
        ]
        for canary in canaries
    ]
