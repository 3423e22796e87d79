"""Metric analysis during a promotion: providers, built-in Triton queries and the Argo-style run.

A provider answers one query with a `Reading`: a value, no data (value None), or an error. A failed
measurement is data, never an exception that unwinds the strategy. One provider exists today
(Prometheus); `provider_for` is the factory. TRITONSHIP_PROMETHEUS_URL comes from the `ProcessEnv` the
CLI read once (`process_env.py`), passed down through the `World` and the `Promotion`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tritonship.process_env import ProcessEnv
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


def provider_for(analysis: AnalysisSpec, environ: ProcessEnv | None = None, *, session=None) -> MetricProvider:
    """The provider an environment's analysis uses; the URL comes from the env var, else the spec."""
    from tritonship.deploy.analysis.prometheus import PrometheusProvider
    from tritonship.errors import BadInput

    url = prometheus_url(analysis, environ)
    if not url:
        raise BadInput(
            "analysis needs a Prometheus URL",
            hint=f"set analysis.prometheus in tritonship.yaml or {PROMETHEUS_URL_ENV}",
        )
    return PrometheusProvider(url, session=session)


def prometheus_url(analysis: AnalysisSpec, environ: ProcessEnv | None = None) -> str | None:
    """The env var, else the spec's URL, else None; a malformed one is BadInput (checked before any change)."""
    from tritonship.process_env import Given, ProcessEnv, first_given
    from tritonship.urls import check_http_url

    environ = environ if environ is not None else ProcessEnv()
    chosen = first_given(Given(PROMETHEUS_URL_ENV, environ.value(PROMETHEUS_URL_ENV)),
                         Given("analysis.prometheus", analysis.prometheus))
    if chosen.value:
        check_http_url(chosen.value, chosen.source)
    return chosen.value
