"""The release state machine: one transition table, checked moves, outcomes, sticky failure."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tests.conftest import ROOT

from tritonship.deploy.engine import sticky_failure
from tritonship.deploy.ledger import Ledger, Release, decode, encode
from tritonship.deploy.phases import (
    PHASES,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    can_move,
    check_move,
    legacy_phase,
    markdown_table,
    outcome_of,
)
from tritonship.errors import BadInput

IMG = "r.example/ml/app@sha256:" + "a" * 64


def rel(revision: int, outcome: str, image: str = IMG, kind: str = "promote", spec_hash: str = "h") -> Release:
    return Release(revision=revision, image=image, digest=image.split("@")[1], strategy="rolling", started_by="ci",
                   started_at="2026-01-01T00:00:00Z", outcome=outcome, kind=kind, spec_hash=spec_hash,
                   phase=outcome if outcome in TERMINAL else "progressing")


def test_every_phase_has_a_row_and_final_phases_go_nowhere():
    assert set(TRANSITIONS) == set(PHASES)
    assert all(TRANSITIONS[p] == () for p in TERMINAL)
    assert all(n in PHASES for moves in TRANSITIONS.values() for n in moves)


@pytest.mark.parametrize(("old", "new", "ok"), [
    ("preflight", "applying", True),
    ("applying", "progressing", True),
    ("progressing", "succeeded", True),
    ("analysing", "rolling-back", True),
    ("rolling-back", "rolled-back", True),
    ("rolling-back", "succeeded", False),  # a rollback never makes the release it leaves a success
    ("restoring", "succeeded", True),
    ("restoring", "rolling-back", False),
    ("preflight", "succeeded", False),  # nothing was verified yet
    ("succeeded", "rolling-back", False),
    ("rolled-back", "progressing", False),  # sticky: a failed release does not run again
])
def test_moves(old, new, ok):
    assert can_move(old, new) is ok


def test_a_forbidden_move_is_refused_with_what_is_allowed():
    with pytest.raises(IllegalTransition, match=r"'rolling-back' cannot move to 'succeeded'.*rolled-back"):
        check_move("rolling-back", "succeeded", 7)
    check_move("progressing", "progressing", 7)  # the next step of the same phase
    with pytest.raises(IllegalTransition, match="final"):
        check_move("succeeded", "succeeded", 7)


def test_outcomes_and_records_written_before_phases():
    assert outcome_of("succeeded") == "succeeded" and outcome_of("rolling-back") == "in-progress"
    assert outcome_of("paused", waiting_for_person=True) == "paused" and outcome_of("paused") == "in-progress"
    assert legacy_phase("in-progress", "rollback") == "restoring"
    assert legacy_phase("paused", "promote") == "paused" and legacy_phase("aborted", "promote") == "aborted"
    assert replace(rel(1, "in-progress"), phase="").current_phase == "progressing"


def test_the_readme_shows_the_transition_table():
    assert markdown_table() in (ROOT / "README.md").read_text()


def test_a_ledger_with_an_unknown_phase_is_refused():
    text, _ = encode(Ledger("app", "dev", (rel(1, "succeeded"),)))
    records = json.loads(text)
    records[0]["phase"] = "exploded"
    with pytest.raises(BadInput, match="phase 'exploded'"):
        decode("app", "dev", json.dumps(records), None, "cm")


def test_sticky_failure_is_the_newest_promote_of_the_same_release():
    other = IMG.replace("a" * 64, "b" * 64)
    failed = Ledger("app", "dev", (rel(1, "succeeded"), rel(2, "rolled-back")))
    assert sticky_failure(failed, IMG, "h", "rolling").revision == 2
    assert sticky_failure(failed, IMG, "changed-settings", "rolling") is None  # new settings: a new attempt
    assert sticky_failure(failed, other, "h", "rolling") is None
    later = Ledger("app", "dev", (rel(1, "rolled-back"), rel(2, "succeeded", other)))
    assert sticky_failure(later, IMG, "h", "rolling") is None  # something else ran since
    after_rollback = Ledger("app", "dev", (rel(1, "succeeded"), rel(2, "aborted"),
                                           rel(3, "succeeded", kind="rollback")))
    assert sticky_failure(after_rollback, IMG, "h", "rolling").revision == 2
