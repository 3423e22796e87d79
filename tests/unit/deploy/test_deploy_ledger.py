"""The release ledger: validated on read, checksummed, trimmed to the last 10."""

from __future__ import annotations

import json

import pytest

from tritonship.deploy.ledger import KEEP, Ledger, Release, decode, encode
from tritonship.errors import BadInput

IMG = "r.example/ml/app@sha256:" + "a" * 64


def rel(revision: int, outcome: str = "succeeded") -> Release:
    return Release(revision=revision, image=IMG, digest=IMG.split("@")[1], strategy="rolling", started_by="ci",
                   started_at="2026-01-01T00:00:00Z", outcome=outcome)


def test_round_trip_and_trim():
    ledger = Ledger("app", "dev")
    for n in range(1, 14):
        ledger = ledger.with_release(rel(n))
    assert [r.revision for r in ledger.releases] == list(range(14 - KEEP, 14))
    text, checksum = encode(ledger)
    assert decode("app", "dev", text, checksum, "cm") == ledger
    assert ledger.next_revision == 14


def test_open_release_is_the_current_promotion():
    ledger = Ledger("app", "dev", (rel(1), rel(2, "paused")))
    assert ledger.current.revision == 2 and ledger.last_succeeded().revision == 1
    assert Ledger("app", "dev", (rel(1),)).current is None


@pytest.mark.parametrize(("mutate", "words"), [
    (lambda recs: "[", "not valid JSON"),
    (lambda recs: json.dumps({"a": 1}), "must be a list"),
    (lambda recs: json.dumps([{**recs[0], "revision": "1"}]), "'revision' has the wrong type"),
    (lambda recs: json.dumps([{**recs[0], "surprise": 1}]), "unknown field(s) surprise"),
    (lambda recs: json.dumps([{k: v for k, v in recs[0].items() if k != "image"}]), "missing field(s) image"),
    (lambda recs: json.dumps([{**recs[0], "outcome": "great"}]), "outcome 'great'"),
    (lambda recs: json.dumps([recs[0], recs[0]]), "duplicated or out of order"),
    (lambda recs: json.dumps([{**recs[0], "outcome": "paused"}, {**recs[0], "revision": 2}]), "only the newest"),
])
def test_corrupt_ledgers_are_refused_with_what_is_wrong(mutate, words):
    text, _ = encode(Ledger("app", "dev", (rel(1),)))
    with pytest.raises(BadInput) as err:
        decode("app", "dev", mutate(json.loads(text)), None, "ConfigMap ns/x")
    assert words in err.value.message and "ConfigMap ns/x" in err.value.message


def test_hand_edits_are_caught_by_the_checksum():
    text, checksum = encode(Ledger("app", "dev", (rel(1),)))
    edited = text.replace('"succeeded"', '"failed"')
    with pytest.raises(BadInput, match="edited by hand"):
        decode("app", "dev", edited, checksum, "cm")


def test_trimming_keeps_the_release_that_runs_however_many_failed_after_it():
    ledger = Ledger("app", "dev").with_release(rel(1))
    for n in range(2, 16):
        ledger = ledger.with_release(rel(n, "rolled-back"))
    assert len(ledger.releases) == KEEP and ledger.releases[0].revision == 1
    assert [r.revision for r in ledger.releases[1:]] == list(range(16 - KEEP + 1, 16))
    assert ledger.last_succeeded().revision == 1
    text, checksum = encode(ledger)
    assert decode("app", "dev", text, checksum, "cm") == ledger
