"""PromQL templating with validated labels, built-in Triton queries, and reading Prometheus answers."""

from __future__ import annotations

import pytest

from tritonship.deploy.analysis import Reading, provider_for
from tritonship.deploy.analysis.builtin import builtin_query
from tritonship.deploy.analysis.prometheus import QueryLabels, reading_from_response, render_query, window_text
from tritonship.deploy.analysis.run import plans_from_spec
from tritonship.errors import BadInput
from tritonship.process_env import ProcessEnv
from tritonship.spec.analysis import AnalysisSpec

LABELS = QueryLabels(namespace="models-prod", app="example-models", track="canary", model="add_sub", window="30s")


def test_placeholders_substituted_and_promql_braces_kept():
    text = render_query('sum(rate(x{namespace="{namespace}",track="{track}",job="{job}"}[{window}]))', LABELS)
    assert text == 'sum(rate(x{namespace="models-prod",track="canary",job="{job}"}[30s]))'


@pytest.mark.parametrize("bad", ['a"} or vector(1) #', "a\\b", "x y", "a{b}"])
def test_label_values_that_could_change_the_query_are_refused(bad):
    with pytest.raises(BadInput, match="cannot be put into a PromQL query"):
        QueryLabels(namespace="ns", app=bad, track="canary")


def test_builtin_success_rate_counts_failures_and_tolerates_their_absence():
    q = builtin_query("success_rate", LABELS)
    sel = '{namespace="models-prod",app="example-models",track="canary",model="add_sub"}'
    assert f"sum(rate(nv_inference_request_success{sel}[30s]))" in q
    assert f"(sum(rate(nv_inference_request_failure{sel}[30s])) or vector(0))" in q


def test_builtin_latency_is_duration_over_success_in_ms_and_all_models_when_unset():
    q = builtin_query("avg_latency_ms", QueryLabels("ns", "app", "stable", window="1m"))
    assert q == (
        'sum(rate(nv_inference_request_duration_us{namespace="ns",app="app",track="stable"}[1m])) / '
        'sum(rate(nv_inference_request_success{namespace="ns",app="app",track="stable"}[1m])) / 1000'
    )
    assert "nv_inference_queue_duration_us" in builtin_query("avg_queue_ms", LABELS)
    assert builtin_query("gpu_utilization", LABELS).startswith("avg(nv_gpu_utilization{")


def test_window_text():
    assert (window_text(60), window_text(2.5), window_text(0.2)) == ("60s", "2500ms", "200ms")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, "0.5"]}]}},
         Reading(0.5)),
        ({"status": "success", "data": {"resultType": "vector", "result": []}}, Reading(None)),
        ({"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "NaN"]}]}}, Reading(None)),
        ({"status": "success", "data": {"resultType": "scalar", "result": [1, "3"]}}, Reading(3.0)),
    ],
)
def test_reading_from_response(payload, expected):
    assert reading_from_response(payload) == expected


def test_reading_errors_are_data():
    two = {"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "1"]}] * 2}}
    assert "returned 2 series" in reading_from_response(two).error
    bad = {"status": "error", "errorType": "bad_data", "error": "parse error at char 3"}
    assert reading_from_response(bad).error == "Prometheus: bad_data: parse error at char 3"
    assert reading_from_response([]).error


def test_plans_take_defaults_from_the_analysis_section():
    spec = AnalysisSpec.model_validate({
        "interval": "10s", "count": 3, "failure_limit": 1,
        "metrics": [
            {"name": "ok", "builtin": "success_rate", "success": {"min": 0.99}},
            {"name": "lat", "query": 'my_latency{track="{track}"}', "success": {"max": 50}, "count": 7},
        ],
    })
    plans = plans_from_spec(spec, LABELS)
    assert [(p.name, p.interval, p.count, p.failure_limit) for p in plans] == [("ok", 10, 3, 1), ("lat", 10, 7, 1)]
    assert plans[1].query == 'my_latency{track="canary"}'
    assert [p.name for p in plans_from_spec(spec, LABELS, ["lat"])] == ["lat"]
    with pytest.raises(BadInput, match="unknown metrics: nope"):
        plans_from_spec(spec, LABELS, ["nope"])


def test_provider_needs_a_url():
    with pytest.raises(BadInput, match="needs a Prometheus URL"):
        provider_for(AnalysisSpec(), ProcessEnv({"TRITONSHIP_PROMETHEUS_URL": ""}))
    environ = ProcessEnv({"TRITONSHIP_PROMETHEUS_URL": "http://127.0.0.1:1/"})
    assert provider_for(AnalysisSpec(prometheus="http://elsewhere"), environ).base_url == "http://127.0.0.1:1"
    assert provider_for(AnalysisSpec(prometheus="http://elsewhere")).base_url == "http://elsewhere"


def test_unreachable_prometheus_is_an_error_reading():
    from tritonship.deploy.analysis.prometheus import PrometheusProvider

    sleeps: list[float] = []
    reading = PrometheusProvider("http://127.0.0.1:9", timeout_s=2, sleep=sleeps.append).measure("up")
    assert reading.value is None and "cannot reach Prometheus" in reading.error
    assert sleeps == [0.2]  # one retry (tritonship.retry), then the error is a reading
