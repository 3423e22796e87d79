"""Analysis and the judge on real Triton metrics scraped by a real Prometheus."""

from __future__ import annotations

import pytest

from tritonship.deploy.analysis.builtin import builtin_query
from tritonship.deploy.analysis.prometheus import PrometheusProvider, QueryLabels
from tritonship.deploy.analysis.run import ERROR, FAILED, SUCCESSFUL, Bounds, MetricPlan, run_analysis
from tritonship.deploy.analysis.samples import collect_samples
from tritonship.deploy.clock import RealClock
from tritonship.deploy.judge import judge
from tritonship.spec.analysis import JudgeSpec

from .conftest import APP

pytestmark = pytest.mark.integration


def plans(namespace: str, track: str) -> list[MetricPlan]:
    labels = QueryLabels(namespace, APP, track, model="add_sub", window="4s")
    common = dict(interval=0.5, count=2)
    return [
        MetricPlan("success-rate", builtin_query("success_rate", labels), Bounds(min=0.99), None, **common),
        MetricPlan("latency", builtin_query("avg_latency_ms", labels), Bounds(max=10.0), None, **common),
    ]


def test_builtin_queries_tell_a_healthy_track_from_a_failing_slow_one(prometheus_url):
    provider = PrometheusProvider(prometheus_url)
    healthy = run_analysis(plans("canary-bad", "stable"), provider, RealClock())
    assert healthy.phase == SUCCESSFUL, healthy.message
    bad = run_analysis(plans("canary-bad", "canary"), provider, RealClock())
    assert bad.phase == FAILED
    values = {m.name: m.measurements[0].value for m in bad.metrics}
    assert 0.5 < values["success-rate"] < 0.8  # every third request fails
    assert values["latency"] > 15  # sleeps 15 ms per request


def test_judge_on_real_samples(prometheus_url):
    spec = JudgeSpec.model_validate({"samples": 8, "interval": "0.5s", "confidence": 0.95, "metrics": [
        {"name": "latency", "builtin": "avg_latency_ms", "direction": "increase", "allowed_change_pct": 300},
        {"name": "success-rate", "builtin": "success_rate", "direction": "decrease", "allowed_change_pct": 1,
         "critical": True},
    ]})
    labels = QueryLabels("judge", APP, "canary", model="add_sub", window="4s")
    healthy, bad = collect_samples(spec, PrometheusProvider(prometheus_url), labels, RealClock(),
                                   baseline="baseline", canaries=("canary", "bad"))
    good_verdict = judge(healthy, confidence=0.95, marginal=spec.marginal, passing=spec.passing)
    assert good_verdict.verdict == "pass", [(m.name, m.baseline_median, m.canary_median, m.effect_pct, m.p_value)
                                            for m in good_verdict.metrics]
    bad_verdict = judge(bad, confidence=0.95, marginal=spec.marginal, passing=spec.passing)
    assert bad_verdict.verdict == "fail" and "critical metric failed: success-rate" in bad_verdict.reason
    latency = next(m for m in bad_verdict.metrics if m.name == "latency")
    assert latency.classification == "high" and latency.failed and latency.effect.low > 0


def test_unreachable_prometheus_ends_in_error_after_the_consecutive_error_limit():
    provider = PrometheusProvider("http://127.0.0.1:9", timeout_s=1)
    result = run_analysis([MetricPlan("x", "up", Bounds(min=1), None, interval=0.1, count=3,
                                      consecutive_error_limit=2)], provider, RealClock())
    assert result.phase == ERROR and result.metrics[0].tally.errors == 3
