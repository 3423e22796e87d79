"""The promotion engine: resolve the image, refuse a sticky failure, preflight, lock, then hand the
release record to deploy/release_run.py, which moves it through the phases of deploy/phases.py,
recording each before acting on it, so that a killed agent's re-run continues the recorded phase."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tritonship.deploy.clock import iso
from tritonship.deploy.ledger import Ledger, LedgerStore, Release
from tritonship.deploy.ledger_signing import ledger_store
from tritonship.deploy.lock import Holder, Lock, lease_name
from tritonship.deploy.manifests import render_release, spec_hash
from tritonship.deploy.origin import digest_of
from tritonship.deploy.phases import START
from tritonship.deploy.preflight import PreflightReport, run_preflight
from tritonship.deploy.release_run import ReleaseRun
from tritonship.deploy.target import Target, resolve_target
from tritonship.errors import BadInput, GateFailed

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.workload import Workload
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
    retry: bool = False  # try a release again whose newest attempt failed (sticky failure)
    triton_image: str | None = None  # modelcar: the Triton image by digest (default: base_image, pinned)


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
    store = ledger_store(kube, spec, req.env)
    ledger = store.read()  # validated first: a corrupt ledger stops everything, nothing written
    if env.analysis is not None:  # a malformed Prometheus URL is bad input before anything is recorded
        from tritonship.deploy.analysis import prometheus_url

        prometheus_url(env.analysis, world.environ)
    if req.resume or req.abort:
        return _continue(world, spec, req, store)
    target = resolve_target(world, spec, req)
    image = target.image
    strategy = env.strategy.kind
    skip = tuple(sorted(set(req.skip_preflight)))
    hash_ = spec_hash(spec, req.env)
    open_rel = ledger.current
    resuming = open_rel is not None and _same(open_rel, target, hash_, strategy)
    if resuming and open_rel.outcome == "paused":
        raise BadInput(f"the promotion of revision {open_rel.revision} to {req.env!r} is paused at step "
                       f"{open_rel.step!r}: {open_rel.reason or ''}".rstrip(": "),
                       hint=f"tritonship promote --env {req.env} --resume (or --abort)")
    retry_of = None if resuming else _check_retry(ledger, req, target, hash_, strategy)
    report = None if resuming else run_preflight(kube, spec, req.env, image, skip=skip, image_exists=world.image_exists,
                                                 work=target.workload(), image_bytes=world.image_bytes)
    work = target.workload(*_chosen(spec, report))
    if req.dry_run:
        objs = render_release(spec, req.env, image, ledger.next_revision, workload=work)
        status = "dry-run" if report is None or report.passed else "failed"
        return PromoteResult(status, req.env, env.namespace, strategy, image, ledger.next_revision,
                             reason=_preflight_reason(report), preflight=report, manifests=tuple(objs))
    if report is not None and not report.passed:
        raise PreflightFailed(report)
    with locked_run(world, spec, req, store) as run:
        run.report = report
        return _start(run, target, work, strategy, skip, retry_of=retry_of)


def _chosen(spec: Spec, report: PreflightReport | None) -> tuple[str | None, int | None]:
    """(delivery, model bytes) for the workload: what preflight found, else what the spec says."""
    if report is not None and report.delivery:
        return report.delivery, report.model_bytes
    configured = spec.image.model_delivery
    return (None if configured == "auto" else configured), (report.model_bytes if report else None)


def _check_retry(ledger: Ledger, req: PromoteRequest, target: Target, hash_: str, strategy: str) -> int | None:
    """Sticky failure: the same release again needs `--retry` (recorded as `retry_of`)."""
    failed = sticky_failure(ledger, target, hash_, strategy)
    if failed is not None and not req.retry:
        why = (failed.reason or "no reason recorded").splitlines()[0]
        raise GateFailed(f"revision {failed.revision} of this image and settings ended {failed.outcome} in "
                         f"{req.env!r}: {why}; a re-run does not try it again",
                         hint=f"promote a new image or settings, or pass --retry to try revision {failed.revision} "
                              "again as a new revision")
    if failed is None and req.retry:
        raise BadInput(f"--retry: the newest promotion to {req.env!r} of this image and settings did not fail; "
                       "there is nothing to retry")
    return failed.revision if failed is not None else None


class PreflightFailed(GateFailed):
    def __init__(self, report: PreflightReport) -> None:
        super().__init__(f"preflight failed: {_preflight_reason(report)}",
                         hint="fix it, or for a rehearsal pass --skip-preflight image|capacity|rbac")
        self.report = report


def _preflight_reason(report: PreflightReport | None) -> str:
    if report is None:
        return ""
    return "; ".join(f"{c.name}: {c.detail}" for c in report.failures)


def _same(rel: Release, target: Target, hash_: str, strategy: str) -> bool:
    """The same release: same built image, same Triton image (a modelcar pair), settings and strategy."""
    return rel.kind == "promote" and rel.image == target.image and rel.pair.triton_image == target.triton_image \
        and rel.spec_hash == hash_ and rel.strategy == strategy


@contextmanager
def locked_run(world: World, spec: Spec, req: PromoteRequest, store: LedgerStore) -> Iterator[ReleaseRun]:
    """The engine's entry for anything that changes a release (promote, resume, abort, rollback):
    take the environment's Lease (waiting up to `req.wait_lock` seconds), then yield a ReleaseRun on
    a fresh read of the ledger, so every decision is made on what is recorded under the lock."""
    with _locked(world, store.kube, spec, req) as lock:
        yield ReleaseRun(world, spec, req, store, lock)


class _locked:
    """The Lease around one command. Releasing it must not hide the error that ended the command."""

    def __init__(self, world: World, kube: Kube, spec: Spec, req: PromoteRequest) -> None:
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


def _continue(world: World, spec: Spec, req: PromoteRequest, store: LedgerStore) -> PromoteResult:
    """`promote --resume` / `--abort`: continue or undo the open promotion. A record that is rolling
    back (or a `tritonship rollback` in progress) continues toward its recorded target either way."""
    with locked_run(world, spec, req, store) as run:
        open_rel = run.ledger.current
        if open_rel is None:
            raise BadInput(f"no promotion of {spec.project} to {req.env!r} is in progress or paused",
                           hint=f"see `tritonship status --env {req.env}`")
        if req.abort and open_rel.current_phase not in ("rolling-back", "restoring"):
            run.attach(open_rel)
            run.resumed = True
            return run.undo("aborted", f"aborted by {req.started_by}")
        return run.continue_open(open_rel)


def _start(run: ReleaseRun, target: Target, work: Workload, strategy: str, skip: tuple[str, ...], *,
           retry_of: int | None) -> PromoteResult:
    """Under the lock: continue this release's open record, or settle another open record and
    record a new revision (phase `preflight`) before the first step changes anything."""
    req, spec = run.req, run.spec
    hash_ = spec_hash(spec, req.env)
    open_rel = run.ledger.current
    if open_rel is not None and _same(open_rel, target, hash_, strategy) and open_rel.outcome == "in-progress":
        return run.continue_open(open_rel)
    if open_rel is not None:
        run.settle(open_rel)
    image = target.image
    record = Release(revision=run.ledger.next_revision, image=image, digest=digest_of(image), strategy=strategy,
                     started_by=req.started_by, started_at=iso(run.world.clock.now()), kind="promote",
                     spec_hash=hash_, step="start", phase=START["promote"], from_env=target.source,
                     skipped_preflight=list(skip), retry_of=retry_of, **record_pair(work))
    run.begin(record)
    return run.run_steps()


def record_pair(work: Workload) -> dict[str, Any]:
    """The Release fields of what the pods run (deploy/ledger.py)."""
    return {"layout": work.layout, "triton_image": work.triton_image, "model_image": work.model_image,
            "delivery": work.delivery, "model_bytes": work.model_bytes}


def sticky_failure(ledger: Ledger, target: Target | str, hash_: str, strategy: str) -> Release | None:
    """The newest promote record, when it is this very release (same digest, settings and strategy) and
    it ended failed, rolled back or aborted. Pure. Like an aborted Argo Rollout, such a release stays
    failed: re-running the same promote does not try (or re-analyse) it again without `--retry`."""
    if isinstance(target, str):  # a baked image
        target = Target(target, triton_image=target)
    last = next((r for r in reversed(ledger.releases) if r.kind == "promote"), None)
    if last is not None and not last.open and last.outcome in ("failed", "rolled-back", "aborted") \
            and _same(last, target, hash_, strategy):
        return last
    return None
