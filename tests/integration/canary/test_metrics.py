"""Analysis and the judge on real Triton metrics scraped by a real Prometheus."""

from __future__ import annotations

import pytest
from tests.integration.canary.conftest import APP, NAMESPACE

from tritonship.deploy.analysis.builtin import builtin_query
from tritonship.deploy.analysis.prometheus import PrometheusProvider, QueryLabels
from tritonship.deploy.analysis.run import ERROR, FAILED, SUCCESSFUL, Bounds, MetricPlan, SystemClock, run_analysis
from tritonship.deploy.analysis.samples import collect_samples
from tritonship.deploy.judge import judge
from tritonship.spec.analysis import JudgeSpec

pytestmark = pytest.mark.integration
LABELS = QueryLabels(NAMESPACE, APP, "canary", model="add_sub", window="4s")


def plans(track: str, count: int = 3) -> list[MetricPlan]:
    labels = LABELS.with_track(track)
    common = dict(interval=1.0, count=count, initial_delay=3.0)
    return [
        MetricPlan("success-rate", builtin_query("success_rate", labels), Bounds(min=0.99), None, **common),
        MetricPlan("latency", builtin_query("avg_latency_ms", labels), Bounds(max=10.0), None, **common),
    ]


def test_builtin_queries_tell_a_healthy_track_from_a_failing_slow_one(metrics_stack):
    url = metrics_stack(stable="healthy_a", canary="bad")
    provider = PrometheusProvider(url)
    healthy = run_analysis(plans("stable"), provider, SystemClock())
    assert healthy.phase == SUCCESSFUL, healthy.message
    bad = run_analysis(plans("canary"), provider, SystemClock())
    assert bad.phase == FAILED
    rate = next(m for m in bad.metrics if m.name == "success-rate").measurements[0].value
    assert 0.5 < rate < 0.9  # every third request fails


def test_judge_on_real_samples(metrics_stack):
    url = metrics_stack(baseline="healthy_a", canary="healthy_b", bad="bad")
    spec = JudgeSpec.model_validate({"samples": 8, "interval": "0.5s", "confidence": 0.95, "metrics": [
        {"name": "latency", "builtin": "avg_latency_ms", "direction": "increase", "allowed_change_pct": 100},
        {"name": "success-rate", "builtin": "success_rate", "direction": "decrease", "allowed_change_pct": 1,
         "critical": True},
    ]})
    provider = PrometheusProvider(url)
    clock = SystemClock()
    clock.sleep(3.0)  # let the rate window fill
    healthy, bad = collect_samples(spec, provider, LABELS, clock, baseline="baseline", canaries=("canary", "bad"))
    good_verdict = judge(healthy, confidence=0.95, marginal=spec.marginal, passing=spec.passing)
    assert good_verdict.verdict == "pass", good_verdict
    bad_verdict = judge(bad, confidence=0.95, marginal=spec.marginal, passing=spec.passing)
    assert bad_verdict.verdict == "fail", bad_verdict
    assert "success-rate" in bad_verdict.reason


def test_unreachable_prometheus_ends_in_error_after_the_consecutive_error_limit():
    provider = PrometheusProvider("http://127.0.0.1:9", timeout_s=1)
    result = run_analysis([MetricPlan("x", "up", Bounds(min=1), None, interval=0.1, count=3,
                                      consecutive_error_limit=2)], provider, SystemClock())
    assert result.phase == ERROR and result.metrics[0].tally.errors == 3
