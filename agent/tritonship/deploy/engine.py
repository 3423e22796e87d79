"""The promotion engine: resolve the image, preflight, lock, then run the strategy's steps, recording
each in the ledger before it runs so that a killed agent resumes where it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tritonship.deploy.clock import iso
from tritonship.deploy.ledger import LedgerStore, Release
from tritonship.deploy.lock import Holder, Lock, lease_name
from tritonship.deploy.manifests import render_release, spec_hash
from tritonship.deploy.origin import choose_from, digest_of
from tritonship.deploy.preflight import PreflightReport, run_preflight
from tritonship.deploy.promotion import Promotion
from tritonship.deploy.strategies import fail
from tritonship.errors import BadInput, GateFailed, TritonshipError

if TYPE_CHECKING:
    from tritonship.deploy.world import World
    from tritonship.spec.model import Spec


@dataclass(frozen=True)
class PromoteRequest:
    env: str
    started_by: str
    image: str | None = None
    from_env: str | None = None
    wait_lock: float = 0.0
    dry_run: bool = False
    skip_preflight: tuple[str, ...] = ()
    resume: bool = False
    abort: bool = False


@dataclass(frozen=True)
class PromoteResult:
    status: str  # passed | failed | paused | aborted | dry-run
    env: str
    namespace: str
    strategy: str
    image: str
    revision: int | None = None
    step: str = ""
    reason: str = ""
    resumed: bool = False
    superseded: int | None = None
    lock_takeover: str | None = None
    preflight: PreflightReport | None = None
    events: tuple[str, ...] = ()
    manifests: tuple[dict, ...] = ()
    record: dict[str, Any] = field(default_factory=dict)


def promote(world: World, spec: Spec, req: PromoteRequest) -> PromoteResult:
    env = spec.environment(req.env)
    kube = world.kube_for(req.env)
    store = LedgerStore(kube, env.namespace, spec.project, req.env)
    ledger = store.read()  # validated first: a corrupt ledger stops everything, nothing written
    if env.analysis is not None:  # a malformed Prometheus URL is bad input before anything is recorded
        from tritonship.deploy.analysis import prometheus_url

        prometheus_url(env.analysis)
    if req.resume or req.abort:
        return _continue(world, spec, req, store)
    image, source = resolve_image(world, spec, req)
    strategy = env.strategy.kind
    skip = tuple(sorted(set(req.skip_preflight)))
    open_rel = ledger.current
    resuming = open_rel is not None and _same(open_rel, image, spec_hash(spec, req.env), strategy)
    if resuming and open_rel.outcome == "paused":
        raise BadInput(f"the promotion of revision {open_rel.revision} to {req.env} is paused at step "
                       f"{open_rel.step!r}: {open_rel.reason or ''}".rstrip(": "),
                       hint=f"tritonship promote --env {req.env} --resume (or --abort)")
    report = None if resuming else run_preflight(kube, spec, req.env, image, skip=skip, image_exists=world.image_exists)
    if req.dry_run:
        objs = render_release(spec, req.env, image, ledger.next_revision)
        status = "dry-run" if report is None or report.passed else "failed"
        return PromoteResult(status, req.env, env.namespace, strategy, image, ledger.next_revision,
                             reason=_preflight_reason(report), preflight=report, manifests=tuple(objs))
    if report is not None and not report.passed:
        raise PreflightFailed(report)
    with _locked(world, kube, spec, req) as lock:
        run = _Run(world, spec, req, store, lock)
        return run.start(image, strategy, skip, report, source)


class PreflightFailed(GateFailed):
    def __init__(self, report: PreflightReport) -> None:
        super().__init__(f"preflight failed: {_preflight_reason(report)}",
                         hint="fix it, or for a rehearsal pass --skip-preflight image|capacity|rbac")
        self.report = report


def _preflight_reason(report: PreflightReport | None) -> str:
    if report is None:
        return ""
    return "; ".join(f"{c.name}: {c.detail}" for c in report.failures)


def _same(rel: Release, image: str, hash_: str, strategy: str) -> bool:
    return rel.kind == "promote" and rel.image == image and rel.spec_hash == hash_ and rel.strategy == strategy


def resolve_image(world: World, spec: Spec, req: PromoteRequest) -> tuple[str, str | None]:
    """-> (image by digest, the environment it comes from or None)."""
    declared = spec.environment(req.env).promote_from
    # `from:` in the spec is a gate: an explicit --image must have succeeded there too, unless the
    # user skips the origin check on purpose (recorded in the history like other skipped preflights)
    skip_origin = "origin" in req.skip_preflight and req.image is not None
    source = req.from_env or (None if skip_origin else declared)
    if source is None:
        if req.image is None:
            raise BadInput(f"say what to promote to {req.env!r}: --image REPOSITORY@sha256:… or --from ENV")
        digest_of(req.image)
        return req.image, None
    if source == req.env:
        raise BadInput("--from names the environment being promoted to")
    src_env = spec.environment(source)
    src_ledger = LedgerStore(world.kube_for(source), src_env.namespace, spec.project, source).read()
    return choose_from(src_ledger, req.image), source


class _locked:
    def __init__(self, world: World, kube, spec: Spec, req: PromoteRequest) -> None:
        env = spec.environment(req.env)
        self.lock = Lock(kube, env.namespace, lease_name(spec.project, req.env), Holder.me(req.started_by),
                         world.clock, duration=world.lease_seconds)
        self.wait = req.wait_lock

    def __enter__(self) -> Lock:
        return self.lock.acquire(self.wait)

    def __exit__(self, exc_type, exc, tb) -> None:
        from tritonship.deploy.kube import ClusterUnreachable

        try:
            self.lock.release()
        except ClusterUnreachable:
            if exc is None:
                raise  # otherwise the original error says more; the lease expires by itself


class _Run:
    """One promotion attempt (new or resumed) under the lock."""

    def __init__(self, world: World, spec: Spec, req: PromoteRequest, store: LedgerStore, lock: Lock) -> None:
        self.world, self.spec, self.req, self.store, self.lock = world, spec, req, store, lock
        self.ledger = store.read()
        self.record: Release | None = None
        self.p: Promotion | None = None
        self.superseded: int | None = None
        self._pending_events: list[str] = []

    # -- entry points ----------------------------------------------------------------------------
    def start(self, image: str, strategy: str, skip: tuple[str, ...], report: PreflightReport | None,
              source: str | None = None) -> PromoteResult:
        hash_ = spec_hash(self.spec, self.req.env)
        open_rel = self.ledger.current
        if open_rel is not None and _same(open_rel, image, hash_, strategy) and open_rel.outcome == "in-progress":
            self._attach(open_rel)
            self.p.note(f"resuming revision {open_rel.revision} at step {open_rel.step!r}")
            return self._steps(resumed=True)
        if open_rel is not None:
            self._supersede(open_rel)
        record = Release(revision=self.ledger.next_revision, image=image, digest=digest_of(image), strategy=strategy,
                         started_by=self.req.started_by, started_at=iso(self.world.clock.now()), kind="promote",
                         spec_hash=hash_, step="start", from_env=source, skipped_preflight=list(skip))
        self._attach(record)
        self._save()
        self._notify("start")
        return self._steps(resumed=False, report=report)

    def resume_or_abort(self, open_rel: Release) -> PromoteResult:
        self._attach(open_rel)
        if self.req.abort:
            self.world.strategy_for(open_rel.strategy).abort(self.p)
            self._finish("aborted", f"aborted by {self.req.started_by}")
            return self._result("aborted")
        self.p.note(f"resuming revision {open_rel.revision} after step {open_rel.step!r}")
        return self._steps(resumed=True)

    # -- the loop --------------------------------------------------------------------------------
    def _steps(self, *, resumed: bool, report: PreflightReport | None = None) -> PromoteResult:
        strategy = self.world.strategy_for(self.record.strategy)
        steps = strategy.steps(self.p)
        index = self.record.step_index
        while index < len(steps):
            step = steps[index]
            self._save(step=step.name, step_index=index, outcome="in-progress", reason=None)
            self.lock.renew()
            out = self._run_step(step)
            if out.kind == "pause":
                self._save(outcome="paused", reason=out.reason, step_index=index if out.retry else index + 1)
                self.p.note(f"paused after step {step.name!r}: {out.reason}")
                self._notify("paused", out.reason)
                return self._result("paused", resumed, report)
            if out.kind == "fail":
                self.p.note(f"step {step.name!r} failed: {out.reason}; rolling back")
                self._save(reason=out.reason)
                self._rollback(strategy, out.reason)
                return self._result("failed", resumed, report)
            index += 1
        self._save(step="done", step_index=len(steps))
        self._finish("succeeded", None)
        return self._result("passed", resumed, report)

    def _run_step(self, step: Any) -> Any:
        """Run one step. The API refusing a request (403, 422, ...) is definitive: the step failed, so
        the strategy rolls back. An unreachable cluster or a lost lock propagates and leaves the
        record in progress, for a re-run to resume."""
        from tritonship.deploy.kube import ApiError

        try:
            return step.run(self.p)
        except ApiError as exc:
            return fail(f"the API refused a request: {exc.message}")

    def _rollback(self, strategy: Any, reason: str) -> None:
        from tritonship.deploy.kube import ClusterUnreachable

        try:
            strategy.rollback(self.p, reason)
        except ClusterUnreachable:
            raise  # the record stays in progress with the reason: a re-run resumes and rolls back
        except TritonshipError as exc:
            self._finish("failed", f"{reason}; rollback failed: {exc.message}")
            return
        target = f"revision {self.p.previous.revision}" if self.p.previous else "nothing (scaled to 0)"
        self._finish("rolled-back", f"{reason}; rolled back to {target}")

    def _supersede(self, old: Release) -> None:
        """A different image (or settings) arrived while an attempt was open: undo it cleanly first."""
        self._attach(old)
        self.p.note(f"revision {old.revision} ({old.image}) was still {old.outcome} at step {old.step!r}; aborting it")
        self.world.strategy_for(old.strategy).abort(self.p)
        self._finish("superseded", f"superseded by a promotion of another image by {self.req.started_by}")
        self.superseded = old.revision
        events = self.p.events
        self.record = self.p = None
        self._pending_events = events

    # -- bookkeeping -----------------------------------------------------------------------------
    def _attach(self, record: Release) -> None:
        self.record = record
        events = self._pending_events
        self.p = Promotion(kube=self.store.kube, clock=self.world.clock, spec=self.spec, env_name=self.req.env,
                           image=record.image, revision=record.revision,
                           previous=self.ledger.last_succeeded(before=record.revision), state=dict(record.state),
                           manifests=list(record.manifests), log=self.world.log, heartbeat=self.lock.renew,
                           save=self._save, events=list(events))

    def _save(self, **changes: Any) -> None:
        self.record = replace(self.record, state=dict(self.p.state), manifests=list(self.p.manifests), **changes)
        self.ledger = self.ledger.with_release(self.record)
        self.store.write(self.ledger)

    def _finish(self, outcome: str, reason: str | None) -> None:
        self._save(outcome=outcome, reason=reason, finished_at=iso(self.world.clock.now()))
        self._notify(outcome, reason or "")

    def _notify(self, outcome: str, reason: str = "") -> None:
        """Tell the optional webhook (issue 7's deploy/notify.py); never fails the promotion."""
        if self.world.notify is not None:
            self.world.notify(outcome, self.p, reason, self.record.kind)

    def _result(self, status: str, resumed: bool = True, report: PreflightReport | None = None) -> PromoteResult:
        rec = self.record
        return PromoteResult(status, self.req.env, self.p.namespace, rec.strategy, rec.image, rec.revision,
                             step=rec.step, reason=rec.reason or "", resumed=resumed, superseded=self.superseded,
                             lock_takeover=self.lock.took_over, preflight=report, events=tuple(self.p.events),
                             manifests=tuple(rec.manifests), record=rec.summary())


def _continue(world: World, spec: Spec, req: PromoteRequest, store: LedgerStore) -> PromoteResult:
    """`promote --resume` / `--abort`: continue or undo the open promotion."""
    with _locked(world, store.kube, spec, req) as lock:
        run = _Run(world, spec, req, store, lock)
        open_rel = run.ledger.current
        if open_rel is None:
            raise BadInput(f"no promotion of {spec.project} to {req.env!r} is in progress or paused",
                           hint=f"see `tritonship status --env {req.env}`")
        return run.resume_or_abort(open_rel)
