"""One attempt on one release record, under the lock: run its steps, roll it back, or restore a target.

Every move goes through `_enter`, which checks the move against the state machine (deploy/phases.py)
and writes the new phase to the ledger *before* the cluster is changed for it. A re-run therefore
continues what was recorded: the steps from the recorded step, a rollback toward its recorded
target (`rollback_to`), a `tritonship rollback` toward its own target. Nothing is recorded as
succeeded (or rolled back) until verify.py has read the cluster and found the expected digest and
revision running, rolled out, behind the expected Service selector. And nothing recorded is re-applied
before deploy/ledger_guard.py has checked it: `attach`, the one way a record gets a Promotion, refuses a
forged record, its forged previous release or a rollback's forged target (exit 2, nothing applied).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tritonship.deploy.clock import iso
from tritonship.deploy.ledger import Release
from tritonship.deploy.phases import check_move, outcome_of
from tritonship.deploy.promotion import Promotion
from tritonship.deploy.strategies import fail
from tritonship.deploy.workload import Workload
from tritonship.errors import TritonshipError

if TYPE_CHECKING:
    from tritonship.deploy.engine import PromoteRequest, PromoteResult
    from tritonship.deploy.ledger import LedgerStore
    from tritonship.deploy.lock import Lock
    from tritonship.deploy.preflight import PreflightReport
    from tritonship.deploy.strategies import Step, StepOutcome
    from tritonship.deploy.world import World
    from tritonship.spec.model import Spec

STATUS_OF_ENDING = {"rolled-back": "failed", "aborted": "aborted", "superseded": "aborted"}


class ReleaseRun:
    def __init__(self, world: World, spec: Spec, req: PromoteRequest, store: LedgerStore, lock: Lock) -> None:
        self.world, self.spec, self.req, self.store, self.lock = world, spec, req, store, lock
        self.ledger = store.read()
        self.record: Release | None = None
        self.p: Promotion | None = None
        self.superseded: int | None = None
        self.report: PreflightReport | None = None
        self.resumed = False
        self._pending_events: list[str] = []

    # -- what to do with an open record ----------------------------------------------------------
    def continue_open(self, rel: Release) -> PromoteResult:
        """Continue the recorded phase of the open record `rel`."""
        self.attach(rel)
        self.resumed = True
        phase = rel.current_phase
        if phase == "rolling-back":
            self.p.note(f"revision {rel.revision} was rolling back to {self._target_text()}: continuing the rollback")
            return self.undo(rel.ending or "rolled-back", rel.reason or "interrupted")
        if phase == "restoring":
            self.p.note(f"continuing the interrupted rollback to revision {rel.rollback_to}")
            return self.restore()
        self.p.note(f"resuming revision {rel.revision} at step {rel.step!r}")
        return self.run_steps()

    def settle(self, old: Release) -> None:
        """Another release's record is open: finish what it was doing before anything new starts. An
        interrupted rollback completes toward its own target; an attempt in progress is superseded
        (aborted: back to the release before it)."""
        self.attach(old)
        phase = old.current_phase
        if phase in ("rolling-back", "restoring"):
            self.continue_open(old)
        else:
            self.p.note(f"revision {old.revision} ({old.image}) was still {old.outcome} at step {old.step!r}; "
                        "aborting it")
            self.undo("superseded", f"superseded by a promotion of another image by {self.req.started_by}")
            self.superseded = old.revision
        events = self.p.events
        self.record = self.p = None
        self.resumed = False
        self._pending_events = events

    def begin(self, record: Release) -> None:
        """Record a new release (phase `preflight` or `restoring`) before anything is changed for it."""
        self.attach(record)
        self._save()
        self._notify("start")

    # -- the steps -------------------------------------------------------------------------------
    def run_steps(self) -> PromoteResult:
        strategy = self.world.strategy_for(self.record.strategy)
        steps = strategy.steps(self.p)
        index = self.record.step_index
        while index < len(steps):
            step = steps[index]
            self._enter(step.phase, step=step.name, step_index=index, reason=None)
            self.lock.renew()
            out = self._run_step(step)
            if out.kind == "pause":
                self._enter("paused", waiting=True, reason=out.reason, step_index=index if out.retry else index + 1)
                self.p.note(f"paused after step {step.name!r}: {out.reason}")
                self._notify("paused", out.reason)
                return self.result("paused")
            if out.kind == "fail":
                self.p.note(f"step {step.name!r} failed: {out.reason}; rolling back")
                return self.undo("rolled-back", out.reason)
            index += 1
        from tritonship.deploy.verify import verify_release

        verdict = verify_release(self.p.kube, self.p.namespace, self.p.manifests)
        if not verdict.ok:
            self.p.note(f"revision {self.record.revision} does not run as recorded: {verdict.message}; rolling back")
            return self.undo("rolled-back", f"verification failed: {verdict.message}")
        self._save(step="done", step_index=len(steps))
        self._finish("succeeded", None)
        return self.result("passed")

    def _run_step(self, step: Step) -> StepOutcome:
        """Run one step. The API refusing a request (403, 422, ...) is definitive: the step failed, so
        the strategy rolls back. An unreachable cluster or a lost lock propagates and leaves the
        record in its phase, for a re-run to continue."""
        from tritonship.deploy.kube import ApiError, ClusterUnreachable

        try:
            return step.run(self.p)
        except ClusterUnreachable:
            raise
        except ApiError as exc:
            return fail(f"the API refused a request: {exc.message}")

    # -- undo: rollback, abort, supersede ----------------------------------------------------------
    def undo(self, ending: str, reason: str) -> PromoteResult:
        """Return to the recorded target (the last succeeded release, or nothing). The phase
        `rolling-back` with its target is recorded first; a ClusterUnreachable leaves it there."""
        from tritonship.deploy.kube import ClusterUnreachable

        target = self.p.previous
        if self.record.current_phase != "rolling-back":
            self._enter("rolling-back", reason=reason, ending=ending, rollback_to=target.revision if target else 0)
        strategy = self.world.strategy_for(self.record.strategy)
        try:
            if ending == "rolled-back":
                strategy.rollback(self.p, reason)
            else:
                strategy.abort(self.p)
        except ClusterUnreachable:
            raise
        except TritonshipError as exc:
            self._finish("failed", f"{reason}; rollback failed: {exc.message}")
            return self.result("failed")
        verdict = self._verify_target(target)
        if not verdict.ok:
            self._finish("failed", f"{reason}; rollback to {self._target_text()} is not running: {verdict.message}")
            return self.result("failed")
        self._finish(ending, f"{reason}; rolled back to {self._target_text()}" if ending == "rolled-back" else reason)
        return self.result(STATUS_OF_ENDING[ending])

    def _verify_target(self, target: Release | None) -> Any:
        from tritonship.deploy.verify import verify_release, verify_scaled_down

        if target is not None and target.manifests:
            return verify_release(self.p.kube, self.p.namespace, target.manifests)
        return verify_scaled_down(self.p.kube, self.p.namespace, self.p.manifests or self.p.render())

    def _target_text(self) -> str:
        target = self.p.previous
        return f"revision {target.revision}" if target else "nothing (scaled to 0)"

    # -- `tritonship rollback` ---------------------------------------------------------------------
    def restore(self) -> PromoteResult:
        """Put the rollback record's target back (its exact manifests), then verify it runs."""
        from tritonship.deploy.kube import ClusterUnreachable
        from tritonship.deploy.verify import verify_release

        rec = self.record
        target = self.ledger.find(rec.rollback_to) or rec
        try:
            self.world.strategy_for(rec.strategy).restore(self.p, target)
        except ClusterUnreachable:
            raise
        except TritonshipError as exc:
            self._finish("failed", f"rollback to revision {rec.rollback_to} failed: {exc.message}")
            return self.result("failed")
        verdict = verify_release(self.p.kube, self.p.namespace, rec.manifests)
        if not verdict.ok:
            self._finish("failed", f"rollback to revision {rec.rollback_to} is not running: {verdict.message}")
            return self.result("failed")
        self._finish("succeeded", f"rolled back to revision {rec.rollback_to}")
        return self.result("passed")

    # -- bookkeeping -----------------------------------------------------------------------------
    def attach(self, record: Release) -> None:
        previous = self._previous(record)
        self._check_recorded(record, previous)
        self.record = record
        events = self._pending_events
        self.p = Promotion(kube=self.store.kube, clock=self.world.clock, spec=self.spec, env_name=self.req.env,
                           image=record.image, revision=record.revision, previous=previous,
                           state=dict(record.state), manifests=list(record.manifests), log=self.world.log,
                           heartbeat=self.lock.renew, save=self._save, events=list(events),
                           environ=self.world.environ, workload=Workload.of(record))

    def _check_recorded(self, record: Release, previous: Release | None) -> None:
        """deploy/ledger_guard.py on every recorded revision this record may re-apply or act on by name,
        before anything is written or applied: its own manifests (a resume converges them, an undo scales
        them), the release it returns to (rollback, --abort, a superseded attempt, a failed step) and a
        `tritonship rollback` record's target. A forged one is BadInput (exit 2), nothing applied."""
        from tritonship.deploy.ledger_guard import check_restorable

        target = self.ledger.find(record.rollback_to) if record.kind == "rollback" and record.rollback_to else None
        for rel in (record, previous, target):
            if rel is not None and rel.manifests:
                check_restorable(rel, self.spec, self.req.env)

    def _previous(self, record: Release) -> Release | None:
        """What this record returns to: its recorded target once it is rolling back, else the last
        succeeded release before it (for a rollback record: the release it replaces)."""
        if record.kind == "promote" and record.rollback_to == 0:
            return None  # a first release: its rollback scales it to zero
        if record.kind == "promote" and record.rollback_to is not None and self.ledger.find(record.rollback_to):
            return self.ledger.find(record.rollback_to)
        return self.ledger.last_succeeded(before=record.revision)

    def _enter(self, phase: str, *, waiting: bool = False, **changes: Any) -> None:
        """Record a move to `phase` (checked against the transition table) before acting on it."""
        check_move(self.record.current_phase, phase, self.record.revision)
        self._save(phase=phase, outcome=outcome_of(phase, waiting_for_person=waiting), **changes)

    def _save(self, **changes: Any) -> None:
        self.record = replace(self.record, state=dict(self.p.state), manifests=list(self.p.manifests), **changes)
        self.ledger = self.ledger.with_release(self.record)
        self.store.write(self.ledger)

    def _finish(self, outcome: str, reason: str | None) -> None:
        self._enter(outcome, reason=reason, finished_at=iso(self.world.clock.now()))
        self._notify(outcome, reason or "")

    def _notify(self, outcome: str, reason: str = "") -> None:
        """Tell the optional webhook (deploy/notify.py); never fails the promotion."""
        if self.world.notify is not None:
            self.world.notify(outcome, self.p, reason, self.record.kind)

    def result(self, status: str) -> PromoteResult:
        from tritonship.deploy.engine import PromoteResult

        rec = self.record
        return PromoteResult(status, self.req.env, self.p.namespace, rec.strategy, rec.image, rec.revision,
                             step=rec.step, reason=rec.reason or "", resumed=self.resumed, superseded=self.superseded,
                             lock_takeover=self.lock.took_over, preflight=self.report, events=tuple(self.p.events),
                             manifests=tuple(rec.manifests), record=rec.summary())
