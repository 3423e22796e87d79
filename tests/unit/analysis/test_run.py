"""Argo Rollouts AnalysisRun semantics, as pure decisions and a loop driven by a controlled clock."""

from __future__ import annotations

import pytest

from tritonship.deploy.analysis import Reading
from tritonship.deploy.analysis.run import (
    ERROR,
    FAILED,
    INCONCLUSIVE,
    RUNNING,
    SUCCESSFUL,
    Bounds,
    Measurement,
    MetricPlan,
    assess,
    metric_phase,
    next_due,
    result_to_dict,
    run_analysis,
)
from tritonship.deploy.clock import FakeClock


class Scripted:
    """A provider answering from a list, per query; the last answer repeats."""

    def __init__(self, **answers: list) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def measure(self, query: str) -> Reading:
        self.asked.append(query)
        script = self.answers[query]
        item = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(item, Exception):
            raise item
        return item


def plan(name="rate", **kw) -> MetricPlan:
    defaults = dict(query=name, success=Bounds(min=0.99), failure=None, interval=10.0, count=3)
    return MetricPlan(name=name, **(defaults | kw))


def m(phase: str, at: float = 0.0) -> Measurement:
    return Measurement(at, phase, 1.0)


@pytest.mark.parametrize(
    ("value", "success", "failure", "expected"),
    [
        (1.0, Bounds(min=0.99), None, SUCCESSFUL),
        (0.5, Bounds(min=0.99), None, FAILED),
        (0.5, None, Bounds(max=0.9), FAILED),
        (0.95, None, Bounds(max=0.9), SUCCESSFUL),
        (0.95, Bounds(min=0.99), Bounds(max=0.9), INCONCLUSIVE),
        (0.5, Bounds(min=0.99), Bounds(max=0.9), FAILED),
        (0.99, Bounds(min=0.99), None, SUCCESSFUL),  # limits are inclusive
    ],
)
def test_assess_structured_limits(value, success, failure, expected):
    assert assess(Reading(value), success, failure)[0] == expected


def test_no_data_and_a_query_error_are_error_measurements_as_in_argo():
    phase, why = assess(Reading(None), Bounds(min=0.99), None)
    assert phase == ERROR and why.startswith("no values found")
    assert assess(Reading(None), None, Bounds(max=0.5))[0] == ERROR  # never a pass
    phase, why = assess(Reading(None, "cannot reach Prometheus"), Bounds(min=0.99), None)
    assert (phase, why) == (ERROR, "cannot reach Prometheus")


def test_no_data_at_first_is_retried_and_passes_once_data_arrives():
    clock = FakeClock()
    provider = Scripted(rate=[Reading(None), Reading(None), Reading(1.0)])
    result = run_analysis([plan(consecutive_error_limit=4, count=3)], provider, clock)
    assert result.phase == SUCCESSFUL
    assert [x.phase for x in result.metrics[0].measurements] == [ERROR, ERROR, SUCCESSFUL, SUCCESSFUL, SUCCESSFUL]


def test_no_data_for_longer_than_the_error_limit_ends_in_error():
    clock = FakeClock()
    result = run_analysis([plan(consecutive_error_limit=4)], Scripted(rate=[Reading(None)]), clock)
    assert result.phase == ERROR and result.metrics[0].tally.errors == 5
    assert "no values found" in result.message


def test_initial_delay_defaults_to_one_window():
    from tritonship.deploy.analysis.prometheus import QueryLabels
    from tritonship.deploy.analysis.run import plans_from_spec
    from tritonship.spec.analysis import AnalysisSpec

    metrics = [{"name": "sr", "builtin": "success_rate", "success": {"min": 0.99}}]
    labels = QueryLabels("ns", "app", "canary")
    [default] = plans_from_spec(AnalysisSpec.model_validate({"window": "2m", "metrics": metrics}), labels)
    assert default.initial_delay == 120.0
    given = AnalysisSpec.model_validate({"window": "2m", "initial_delay": "10s", "metrics": metrics})
    assert plans_from_spec(given, labels)[0].initial_delay == 10.0


def test_metric_phase_limits():
    p = plan(failure_limit=1, inconclusive_limit=1, consecutive_error_limit=2, count=5)
    assert metric_phase(p, [m(FAILED)]) == RUNNING
    assert metric_phase(p, [m(FAILED), m(FAILED)]) == FAILED
    assert metric_phase(p, [m(INCONCLUSIVE), m(INCONCLUSIVE)]) == INCONCLUSIVE
    assert metric_phase(p, [m(ERROR), m(ERROR)]) == RUNNING
    assert metric_phase(p, [m(ERROR), m(ERROR), m(ERROR)]) == ERROR
    assert metric_phase(p, [m(ERROR), m(ERROR), m(SUCCESSFUL), m(ERROR), m(ERROR)]) == RUNNING  # not consecutive
    assert metric_phase(p, [m(SUCCESSFUL)] * 4 + [m(ERROR)]) == RUNNING  # errors do not count
    assert metric_phase(p, [m(SUCCESSFUL)] * 4 + [m(FAILED)]) == SUCCESSFUL  # within failure_limit


def test_count_reached_without_one_success_is_not_a_pass():
    p = plan(inconclusive_limit=5, count=3)
    assert metric_phase(p, [m(INCONCLUSIVE)] * 3) == INCONCLUSIVE


def test_schedule_initial_delay_then_interval():
    p = plan(initial_delay=30.0, interval=10.0)
    assert next_due(p, []) == 30.0
    assert next_due(p, [m(SUCCESSFUL, at=30.0)]) == 40.0


def test_run_succeeds_after_count_measurements_on_schedule():
    clock = FakeClock()
    provider = Scripted(rate=[Reading(1.0)])
    result = run_analysis([plan(initial_delay=5.0)], provider, clock)
    assert result.phase == SUCCESSFUL
    assert [x.at for x in result.metrics[0].measurements] == [5.0, 15.0, 25.0]
    assert result.duration_s == 25.0


def test_failure_ends_the_run_early():
    clock = FakeClock()
    provider = Scripted(rate=[Reading(1.0), Reading(0.5)], latency=[Reading(10.0)])
    plans = [plan(count=10), plan("latency", success=Bounds(max=50), interval=1.0, count=100)]
    result = run_analysis(plans, provider, clock)
    assert result.phase == FAILED
    assert result.metrics[0].phase == FAILED
    assert result.metrics[1].phase == RUNNING  # stopped, not finished
    assert result.duration_s == 10.0
    assert "0.5 is outside the success range [0.99, +inf]" in result.message


def test_provider_outage_hits_consecutive_error_limit():
    clock = FakeClock()
    provider = Scripted(rate=[ConnectionError("refused")])
    result = run_analysis([plan(consecutive_error_limit=4)], provider, clock)
    assert result.phase == ERROR
    assert result.metrics[0].tally.errors == 5
    assert "ConnectionError: refused" in result.message


def test_inconclusive_run_and_worst_phase_wins():
    clock = FakeClock()
    provider = Scripted(rate=[Reading(0.95)], latency=[Reading(10.0)])
    plans = [plan(failure=Bounds(max=0.9)), plan("latency", success=Bounds(max=50))]
    result = run_analysis(plans, provider, clock)
    assert [r.phase for r in result.metrics] == [INCONCLUSIVE, SUCCESSFUL]
    assert result.phase == INCONCLUSIVE


def test_result_json_shape():
    clock = FakeClock()
    result = run_analysis([plan(count=1)], Scripted(rate=[Reading(1.0)]), clock)
    doc = result_to_dict(result)
    assert doc["phase"] == "successful"
    assert doc["metrics"][0] | {"measurements": None} == {
        "name": "rate", "phase": "successful", "query": "rate", "successful": 1, "failed": 0,
        "inconclusive": 0, "errors": 0, "measurements": None,
    }
    assert doc["metrics"][0]["measurements"] == [{"at_s": 0.0, "phase": "successful", "value": 1.0, "message": ""}]
