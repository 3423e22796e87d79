"""Built-in Triton queries (PromQL templates over Triton's metrics on port 8002).

Triton exports cumulative counters per model: requests that succeeded and failed, and the total
microseconds they spent (end to end and queued). Rates over a window turn them into a success rate
and average latencies: rate(duration_us) / rate(success). With no traffic these are 0/0 = NaN,
which the provider reports as "no data" — never a pass.
"""

from __future__ import annotations

from tritonship.deploy.analysis.prometheus import QueryLabels, render_query

_TARGET = 'namespace="{namespace}",app="{app}",track="{track}"'


def _selector(labels: QueryLabels) -> str:
    model = ',model="{model}"' if labels.model else ""
    return "{" + _TARGET + model + "}"


def _rate(metric: str, selector: str) -> str:
    return f"sum(rate({metric}{selector}[{{window}}]))"


def _templates(selector: str) -> dict[str, str]:
    success = _rate("nv_inference_request_success", selector)
    failure = f"({_rate('nv_inference_request_failure', selector)} or vector(0))"
    return {
        "success_rate": f"{success} / ({success} + {failure})",
        "avg_latency_ms": f"{_rate('nv_inference_request_duration_us', selector)} / {success} / 1000",
        "avg_queue_ms": f"{_rate('nv_inference_queue_duration_us', selector)} / {success} / 1000",
        # GPU metrics carry no model label: the average utilisation (0..1) of the track's GPUs.
        "gpu_utilization": "avg(nv_gpu_utilization{" + _TARGET + "})",
    }


def builtin_query(name: str, labels: QueryLabels) -> str:
    """The rendered PromQL of a built-in metric for one track."""
    templates = _templates(_selector(labels))
    if name not in templates:
        raise KeyError(f"unknown built-in metric {name!r}; known: {', '.join(templates)}")
    return render_query(templates[name], labels)


def metric_query(builtin: str | None, query: str | None, labels: QueryLabels) -> str:
    """The query of a metric check or judged metric: a built-in, or the user's template rendered."""
    if builtin is not None:
        return builtin_query(builtin, labels)
    if query is None:
        raise ValueError("a metric needs 'builtin' or 'query'")
    return render_query(query, labels)
