"""Metric analysis during a promotion: providers, built-in Triton queries and the Argo-style run.

A provider answers one query with a `Reading`: a value, no data (value None), or an error. A failed
measurement is data, never an exception that unwinds the strategy. One provider exists today
(Prometheus); `provider_for` is the factory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tritonship.spec.analysis import AnalysisSpec

PROMETHEUS_URL_ENV = "TRITONSHIP_PROMETHEUS_URL"


@dataclass(frozen=True)
class Reading:
    """One answer from a provider. `value` None with no `error` means the query returned no data."""

    value: float | None
    error: str | None = None


class MetricProvider(Protocol):
    def measure(self, query: str) -> Reading:
        """Evaluate one fully rendered query now. Must not raise for a failed measurement."""
        ...


def provider_for(analysis: AnalysisSpec, *, session=None) -> MetricProvider:
    """The provider an environment's analysis uses; the URL comes from the env var, else the spec."""
    from tritonship.deploy.analysis.prometheus import PrometheusProvider
    from tritonship.errors import BadInput

    url = prometheus_url(analysis)
    if not url:
        raise BadInput(
            "analysis needs a Prometheus URL",
            hint=f"set analysis.prometheus in tritonship.yaml or {PROMETHEUS_URL_ENV}",
        )
    return PrometheusProvider(url, session=session)


def prometheus_url(analysis: AnalysisSpec) -> str | None:
    """The env var, else the spec's URL, else None; a malformed one is BadInput (checked before any change)."""
    from tritonship.urls import check_http_url

    url = os.environ.get(PROMETHEUS_URL_ENV) or analysis.prometheus
    if url:
        check_http_url(url, PROMETHEUS_URL_ENV if os.environ.get(PROMETHEUS_URL_ENV) else "analysis.prometheus")
    return url

