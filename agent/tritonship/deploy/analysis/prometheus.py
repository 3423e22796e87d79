"""Prometheus as a metric provider: instant queries over the HTTP API (`/api/v1/query`).

Queries are templates: `{namespace}`, `{app}`, `{track}`, `{model}` and `{window}` are replaced by
plain string substitution of values that were validated first (PromQL's own braces are left alone;
nothing is evaluated). A query must yield one number; an empty result or NaN is "no data".
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from tritonship.deploy.analysis import Reading
from tritonship.errors import BadInput
from tritonship.retry import RetryPolicy, call_with_retries

# One quick retry inside a measurement: a blip (connection reset, 503 while Prometheus reloads) is
# not worth an error reading, but persistent trouble must reach the analysis' consecutiveErrorLimit
# soon, as with Argo Rollouts' Prometheus provider (which counts each failed query as an error).
MEASURE_RETRY = RetryPolicy(attempts=2, backoff=0.2, max_backoff=1.0)

PLACEHOLDERS = ("namespace", "app", "track", "model", "window")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
# Label values we substitute: Kubernetes names, Triton model names, durations. No quotes, no backslashes.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:-]{0,253}")


@dataclass(frozen=True)
class QueryLabels:
    namespace: str
    app: str
    track: str
    model: str = ""
    window: str = "60s"

    def __post_init__(self) -> None:
        for name in PLACEHOLDERS:
            value = getattr(self, name)
            if not _SAFE_VALUE.fullmatch(value):
                raise BadInput(f"{name} value {value!r} cannot be put into a PromQL query",
                               hint="use letters, digits, '_', '.', ':' or '-'")

    def with_track(self, track: str) -> QueryLabels:
        return QueryLabels(self.namespace, self.app, track, self.model, self.window)


def render_query(template: str, labels: QueryLabels) -> str:
    """Substitute the known placeholders; other braces (PromQL selectors) stay as written."""
    return _PLACEHOLDER.sub(lambda m: getattr(labels, m.group(1)), template)


def window_text(seconds: float) -> str:
    """A PromQL range from seconds: 60.0 -> '60s', 0.5 -> '500ms'."""
    if seconds >= 1 and float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{max(1, round(seconds * 1000))}ms"


def reading_from_response(payload: object) -> Reading:
    """Interpret a /api/v1/query JSON answer. Pure: tested without a server."""
    if not isinstance(payload, dict):
        return Reading(None, "Prometheus answered something that is not a JSON object")
    if payload.get("status") != "success":
        return Reading(None, f"Prometheus: {payload.get('errorType', 'error')}: {payload.get('error', 'unknown')}")
    data = payload.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return _number(result[1] if isinstance(result, list) and len(result) == 2 else None)
    if kind != "vector" or not isinstance(result, list):
        return Reading(None, f"query must return a scalar or an instant vector, not {kind!r}")
    return _from_vector(result)


def _from_vector(result: list) -> Reading:
    if not result:
        return Reading(None)
    if len(result) > 1:
        return Reading(None, f"query returned {len(result)} series; aggregate it to one (e.g. with sum())")
    return _number((result[0].get("value") or [None, None])[1])


def _number(text: object) -> Reading:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return Reading(None, f"Prometheus returned a value that is not a number: {text!r}")
    return Reading(None if math.isnan(value) else value)


class PrometheusProvider:
    """Thin adapter over Prometheus' HTTP API. `measure` never raises for a failed measurement."""

    def __init__(self, base_url: str, *, session=None, timeout_s: float = 10.0,
                 retry: RetryPolicy = MEASURE_RETRY, sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = session
        self.retry, self.sleep = retry, sleep

    def _http(self):
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def measure(self, query: str) -> Reading:
        import requests

        def once():
            return self._http().get(f"{self.base_url}/api/v1/query", params={"query": query},
                                    timeout=self.timeout_s)

        try:
            response = call_with_retries(once, self.retry, sleep=self.sleep, status=lambda r: r.status_code,
                                         retryable=lambda e: isinstance(e, requests.ConnectionError | requests.Timeout))
        except requests.RequestException as exc:
            return Reading(None, f"cannot reach Prometheus at {self.base_url}: {type(exc).__name__}")
        try:
            payload = response.json()
        except ValueError:
            return Reading(None, f"Prometheus answered HTTP {response.status_code} without JSON")
        return reading_from_response(payload)
