"""Pure decisions of the canary and blue-green strategies: replica split, colours, step outcomes."""

from __future__ import annotations

import pytest

from tritonship.deploy.analysis.step import outcome_of_phase, outcome_of_verdict
from tritonship.deploy.strategies.bluegreen import next_colour, track_of
from tritonship.deploy.strategies.canary import Split, replica_split


@pytest.mark.parametrize(
    ("total", "weight", "baseline", "expected", "actual"),
    [
        (10, 41, False, Split(4, 0, 6), 40.0),  # Argo's example: 41% of 10 -> 4 canary, 6 stable
        (4, 25, False, Split(1, 0, 3), 25.0),
        (4, 25, True, Split(1, 1, 3), 20.0),  # the baseline takes traffic too: the real weight says so
        (4, 50, True, Split(2, 2, 2), 33.3),
        (1, 20, False, Split(1, 0, 1), 50.0),  # one replica: a canary pod beside it is 50%
        (4, 99, False, Split(3, 0, 1), 75.0),  # stable keeps one pod until 100
        (4, 1, False, Split(1, 0, 3), 25.0),  # any weight above 0 gets a pod
        (4, 0, True, Split(0, 0, 4), 0.0),
        (4, 100, True, Split(4, 0, 0), 100.0),
    ],
)
def test_replica_split(total, weight, baseline, expected, actual):
    split = replica_split(total, weight, baseline)
    assert split == expected
    assert split.actual_pct == actual


def test_colours_alternate_and_a_rolling_release_counts_as_neither():
    assert next_colour("blue") == "green"
    assert next_colour("green") == "blue"
    assert next_colour("stable") == "blue"
    assert next_colour(None) == "blue"
    dep = {"kind": "Deployment", "metadata": {"labels": {"tritonship.io/track": "green"}}}
    assert track_of([{"kind": "Service", "metadata": {}}, dep]) == "green"
    assert track_of([]) is None


@pytest.mark.parametrize(("phase", "kind"), [("successful", "next"), ("failed", "fail"), ("error", "fail"),
                                              ("inconclusive", "pause")])
def test_analysis_phase_to_step_outcome(phase, kind):
    assert outcome_of_phase(phase, "why").kind == kind


@pytest.mark.parametrize(("verdict", "kind"), [("pass", "next"), ("fail", "fail"), ("marginal", "pause"),
                                                ("inconclusive", "pause")])
def test_judge_verdict_to_step_outcome(verdict, kind):
    outcome = outcome_of_verdict(verdict, "why")
    assert outcome.kind == kind and not outcome.retry
