"""The precedence rule (first given source wins) and the process-environment snapshot, tested once."""

from __future__ import annotations

import pytest

from tritonship.process_env import Given, ProcessEnv, first_given

# (candidates in the verb's order, default) -> the source that wins
TABLE = [
    ([Given("ENV", "a"), Given("--flag", "b"), Given("spec.key", "c")], None, "ENV"),
    ([Given("ENV", None), Given("--flag", "b"), Given("spec.key", "c")], None, "--flag"),
    ([Given("ENV", ""), Given("--flag", None), Given("spec.key", "c")], None, "spec.key"),  # empty = unset
    ([Given("ENV", None), Given("--flag", None), Given("spec.key", None)], 7, "default"),
    ([Given("--flag", 0), Given("spec.key", 5)], None, "--flag"),  # 0 and False are given values
    ([Given("--flag", False), Given("spec.key", True)], None, "--flag"),
    ([], "d", "default"),
]


@pytest.mark.parametrize(("candidates", "default", "source"), TABLE)
def test_the_first_given_source_wins(candidates, default, source):
    chosen = first_given(*candidates, default=default)
    assert chosen.source == source
    expected = default if source == "default" else next(c.value for c in candidates if c.source == source)
    assert chosen.value == expected


def test_process_env_reads_empty_as_unset_and_never_prints_values():
    env = ProcessEnv({"A": "1", "EMPTY": "", "TOKEN": "s3cret"})
    assert (env.value("A"), env.value("EMPTY"), env.value("MISSING")) == ("1", None, None)
    assert env.get("EMPTY") == "" and dict(env) == {"A": "1", "EMPTY": "", "TOKEN": "s3cret"}
    assert "s3cret" not in repr(env) and "s3cret" not in str(env)
    assert len(ProcessEnv()) == 0


def test_from_process_is_a_snapshot(monkeypatch):
    monkeypatch.setenv("TRITONSHIP_SNAPSHOT_TEST", "before")
    env = ProcessEnv.from_process()
    monkeypatch.setenv("TRITONSHIP_SNAPSHOT_TEST", "after")
    assert env.value("TRITONSHIP_SNAPSHOT_TEST") == "before"
