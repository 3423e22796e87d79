"""Collecting the judge's samples: every judged metric, for baseline and canary, at the same moments.

Readings without a value (no data or a failed query) are left out: the judge then sees fewer
samples and says "nodata" rather than pass.
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


def collect_samples(spec: JudgeSpec, provider: MetricProvider, labels: QueryLabels, clock: Clock, *,
                    baseline: str = "baseline", canaries: Sequence[str] = ("canary",),
                    heartbeat: Callable[[], None] | None = None) -> list[list[MetricSamples]]:
    """`spec.samples` rounds, `spec.interval` apart; one list of MetricSamples per canary track."""
    tracks = [baseline, *canaries]
    queries = {(m.name, t): metric_query(m.builtin, m.query, labels.with_track(t))
               for m in spec.metrics for t in tracks}
    values: dict[tuple[str, str], list[float]] = {key: [] for key in queries}
    for round_ in range(spec.samples):
        if round_:
            clock.sleep(spec.interval)
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
                          weight=m.weight)
            for m in spec.metrics
        ]
        for canary in canaries
    ]
