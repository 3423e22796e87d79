"""The release state machine: the phases a release record moves through, and the only moves allowed.

This table is the single source of the phases: the engine asks `check_move` before it records a new
phase, and the README's phase table is rendered from `TRANSITIONS` (a unit test keeps them equal).
A phase is written to the ledger *before* the cluster is changed for it, so the recorded phase always
says what a re-run must continue:

    preflight     the record exists; checks passed; nothing applied yet
    applying      a step applies the release's objects (rolling `apply`, canary start, blue-green preview)
    progressing   waiting for pods to roll out (rolling `rollout`, canary weights)
    analysing     metric checks / the judge
    paused        a timed pause (deadline in the record) or a wait for a person (outcome `paused`)
    promoting     the new version takes all traffic (blue-green switch and scale-down, canary promote)
    succeeded     verified: the release's Deployments run its digest and revision, the Services select it
    rolling-back  a step failed, or an abort/supersede: returning to `rollback_to` (0: scale to zero)
    rolled-back | aborted | superseded   the rollback finished and what runs was verified (`ending` says which)
    restoring     a `tritonship rollback` record: re-applying the target revision's manifests
    failed        a rollback (or a restore) could not complete; the reason says what runs

Mirrors Argo Rollouts: a failed analysis or rollout sets `status.abort` and the Rollout stays
aborted/degraded until a person runs `kubectl argo rollouts retry` (which merge-patches
`{"status":{"abort":false}}`, cmd/retry/retry.go) or a new pod template arrives (a new revision);
here that is `promote --retry` or a new image/settings. Like Argo's status (`currentStepIndex`,
`stableRS`, `abort`, `pauseConditions[].startTime`), the record carries what a restarted agent needs.
"""

from __future__ import annotations

from tritonship.errors import InfraError

WORKING = ("applying", "progressing", "analysing", "paused", "promoting")
ENDINGS = ("rolled-back", "aborted", "superseded")  # how a rolling-back phase ends when the rollback worked
TERMINAL = ("succeeded", *ENDINGS, "failed")
PHASES = ("preflight", *WORKING, "succeeded", "rolling-back", *ENDINGS, "restoring", "failed")
START = {"promote": "preflight", "rollback": "restoring"}

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "preflight": (*WORKING, "rolling-back"),
    **{phase: (*WORKING, "succeeded", "rolling-back") for phase in WORKING},
    "rolling-back": (*ENDINGS, "failed"),
    "restoring": ("succeeded", "failed"),
    **{phase: () for phase in TERMINAL},
}


class IllegalTransition(InfraError):
    """A bug, or a ledger changed under us: the engine refuses to record a move the table forbids."""


def can_move(old: str, new: str) -> bool:
    """Whether a record may go from `old` to `new` (staying in a working phase is a move too). Pure."""
    return new in TRANSITIONS.get(old, ())


def check_move(old: str, new: str, revision: int) -> None:
    if old == new and old in (*WORKING, "rolling-back", "restoring"):
        return
    if not can_move(old, new):
        raise IllegalTransition(f"revision {revision}: phase {old!r} cannot move to {new!r} "
                                f"(allowed: {', '.join(TRANSITIONS.get(old, ())) or 'none, it is final'})")


def outcome_of(phase: str, *, waiting_for_person: bool = False) -> str:
    """The record's `outcome` (what history and Groovy read) for a phase. Pure."""
    if phase in TERMINAL:
        return phase
    return "paused" if waiting_for_person else "in-progress"


def legacy_phase(outcome: str, kind: str) -> str:
    """The phase of a record written before phases existed (read from its outcome). Pure."""
    if outcome in TERMINAL:
        return outcome
    if outcome == "paused":
        return "paused"
    return "restoring" if kind == "rollback" else "progressing"


def is_open(phase: str) -> bool:
    return phase not in TERMINAL


def markdown_table() -> str:
    """The README's phase table, from TRANSITIONS."""
    rows = ["| phase | may move to |", "|---|---|"]
    for phase in PHASES:
        rows.append(f"| `{phase}` | {', '.join(f'`{n}`' for n in TRANSITIONS[phase]) or 'final'} |")
    return "\n".join(rows)
