"""`Promotion`: what a strategy step sees — the clients, the release being promoted, its saved state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tritonship.process_env import ProcessEnv

if TYPE_CHECKING:
    from tritonship.deploy.clock import Clock
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.ledger import Release
    from tritonship.deploy.steps import RolloutStatus
    from tritonship.deploy.workload import Workload
    from tritonship.spec.environment import Environment
    from tritonship.spec.model import Spec


TIMELINE_KEEP = 200


def _noop() -> None:
    return None


@dataclass
class Promotion:
    kube: Kube
    clock: Clock
    spec: Spec
    env_name: str
    image: str  # repository@sha256:...
    revision: int
    previous: Release | None = None  # the last succeeded release (the stable one), if any
    state: dict[str, Any] = field(default_factory=dict)  # the strategy's progress, persisted by save()
    manifests: list[dict] = field(default_factory=list)  # objects applied for this release
    log: Callable[[str], None] = print
    heartbeat: Callable[[], None] = _noop  # renews the lock; call it while waiting
    save: Callable[[], None] = _noop  # persists state/manifests into the ledger now
    events: list[str] = field(default_factory=list)
    environ: ProcessEnv = field(default_factory=ProcessEnv)  # the World's process environment (process_env.py)
    workload: Workload | None = None  # what the pods run (deploy/workload.py); None: the baked `image`

    @property
    def app(self) -> str:
        return self.spec.project

    @property
    def env(self) -> Environment:
        return self.spec.environments[self.env_name]

    @property
    def namespace(self) -> str:
        return self.env.namespace

    def note(self, message: str) -> None:
        """A line for the user and for the result's event trail; timestamped in `state["timeline"]` (so in
        the ledger record and the promotion's report.html), the newest TIMELINE_KEEP kept."""
        from tritonship.deploy.clock import iso

        self.events.append(message)
        timeline = self.state.setdefault("timeline", [])
        entry: dict[str, Any] = {"at": iso(self.clock.now()), "event": message}
        weight = self.state.get("weight")
        if isinstance(weight, dict) and weight.get("actual_pct") is not None:  # a canary's traffic split now
            entry["weight_pct"] = weight["actual_pct"]
        timeline.append(entry)
        del timeline[:-TIMELINE_KEEP]
        self.log(message)

    def render(self, **overrides: Any) -> list[dict]:
        """The manifests of this release (see manifests.render_release for the overrides)."""
        from tritonship.deploy.manifests import render_release

        return render_release(self.spec, self.env_name, self.image, self.revision, workload=self.workload,
                              **overrides)

    @property
    def deadline_s(self) -> float:
        """Our backstop for one rollout: twice the controller's progress deadline, plus 30 s."""
        s = self.env.strategy
        deadline = next((x.progress_deadline for x in (s.rolling, s.blue_green, s.canary) if x is not None), 600.0)
        return deadline * 2 + 30

    @property
    def grace(self) -> float:
        """How long a pod may stay unschedulable before the step fails (deploy/podwatch.py)."""
        from tritonship.deploy.podwatch import UNSCHEDULABLE_GRACE

        return getattr(self.env, "unschedulable_grace", UNSCHEDULABLE_GRACE)

    def converge(self, want: dict) -> RolloutStatus:
        """The Deployment `want` applied if it differs, rolled out, watched and verified (steps.converge)."""
        from tritonship.deploy.steps import converge

        return converge(self.kube, self.namespace, want, self.clock, deadline_s=self.deadline_s,
                        heartbeat=self.heartbeat, log=self.log, grace=self.grace)

    def wait_deployment(self, name: str, expect: dict | None = None) -> RolloutStatus:
        """Wait for a Deployment's rollout, watching its new pods (steps.wait_rollout)."""
        from tritonship.deploy.steps import wait_rollout

        return wait_rollout(self.kube, self.namespace, name, self.clock, deadline_s=self.deadline_s,
                            heartbeat=self.heartbeat, log=self.log, expect=expect, grace=self.grace)

    def wait_until(self, key: str, seconds: float) -> None:
        """A timed wait whose deadline is kept in `state[key]` (so in the ledger): a resumed
        promotion waits only the remainder (as Argo Rollouts ends a timed pause at its recorded
        `pauseConditions[].startTime` + duration, whoever is running the controller then)."""
        if key not in self.state:
            self.state[key] = self.clock.now() + seconds
            self.save()
        left = self.state[key] - self.clock.now()
        if left > 0:
            self.wait(left)

    def wait(self, seconds: float, step: float = 1.0) -> None:
        """Wait through the clock, renewing the lock."""
        end = self.clock.now() + seconds
        while self.clock.now() < end:
            self.heartbeat()
            self.clock.sleep(min(step, end - self.clock.now()))
