"""`tritonship rollback`: put an earlier succeeded revision's exact manifests back, fast (no analysis),
recorded as a new revision of kind "rollback"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy.clock import iso
from tritonship.deploy.engine import PromoteRequest, PromoteResult, locked_run, record_pair
from tritonship.deploy.ledger import Ledger, Release
from tritonship.deploy.ledger_guard import check_restorable
from tritonship.deploy.ledger_signing import ledger_store
from tritonship.deploy.phases import START
from tritonship.deploy.workload import Workload
from tritonship.errors import BadInput, GateFailed

if TYPE_CHECKING:
    from tritonship.deploy.world import World
    from tritonship.spec.model import Spec


@dataclass(frozen=True)
class RollbackRequest:
    env: str
    started_by: str
    to: int | None = None
    wait_lock: float = 0.0


def choose_target(ledger: Ledger, to: int | None) -> Release:
    """The revision to return to. Pure. Default: the succeeded one before the one running now."""
    if to is not None:
        target = ledger.find(to)
        if target is None:
            known = ", ".join(str(r.revision) for r in ledger.releases) or "none"
            raise BadInput(f"revision {to} is not in the history of {ledger.env!r} (kept: {known})")
        if target.outcome != "succeeded" or not target.manifests:
            raise GateFailed(f"revision {to} did not succeed ({target.outcome}); refusing to roll back to it")
        return target
    running = ledger.last_succeeded()
    target = ledger.last_succeeded(before=running.revision) if running else None
    if target is None:
        raise GateFailed(f"no earlier succeeded revision to roll back to in {ledger.env!r}",
                         hint=f"see `tritonship history --env {ledger.env}`")
    return target


def rollback(world: World, spec: Spec, req: RollbackRequest) -> PromoteResult:
    """An open record is settled first: an interrupted `tritonship rollback` continues toward its own
    target (never re-applying the release it is leaving), a promote that was rolling back finishes
    its rollback, an attempt in progress is aborted. Then the target's manifests go back (phase
    `restoring`) and the record succeeds only once verify.py finds the target running."""
    store = ledger_store(world.kube_for(req.env), spec, req.env)
    ledger = store.read()
    open_rel = ledger.current
    if open_rel is None or open_rel.kind != "rollback":
        check_restorable(choose_target(ledger, req.to), spec, req.env)  # validate before taking the lock
    preq = PromoteRequest(env=req.env, started_by=req.started_by, wait_lock=req.wait_lock)
    with locked_run(world, spec, preq, store) as run:
        open_rel = run.ledger.current
        if open_rel is not None and open_rel.kind == "rollback" and req.to in (None, open_rel.rollback_to):
            check_restorable(open_rel, spec, req.env)
            return run.continue_open(open_rel)
        if open_rel is not None:
            run.settle(open_rel)
        target = choose_target(run.ledger, req.to)
        check_restorable(target, spec, req.env)  # deploy/ledger_guard.py: only what tritonship renders
        record = Release(revision=run.ledger.next_revision, image=target.image, digest=target.digest,
                         strategy=target.strategy, started_by=req.started_by, started_at=iso(world.clock.now()),
                         kind="rollback", spec_hash=target.spec_hash, step="restore", phase=START["rollback"],
                         rollback_to=target.revision, manifests=list(target.manifests),
                         **record_pair(Workload.of(target)))  # the pair it restores
        run.begin(record)
        return run.restore()
