"""The promotion plan of a pipeline run, decided from the validated spec (Jenkins only carries it out).

`modelPipeline` asks `tritonship plan --json` which environments to promote to, in which order, which of
them wait for a person's approval, where each one's digest comes from and which lock serialises it. The
rules (once, here):

- order: the environments named (`--env`, in that order), else the spec's, in file order;
- approval: the names given (`--approval`), else each environment's `approval: true`;
- origin (`from`): the spec's `from:`, else the environment before it in the plan; the first one (with no
  `from:`) receives the digest this run built. A dry run has no release ledger to read from, so every
  environment receives the built digest (`from` is null);
- manual pauses: how many strategy steps wait for a person, so Jenkins can size its windows;
- lock: `<lock prefix><environment>`, the prefix defaulting to `<project>-`, so two projects never share a
  controller-wide lock named `prod` (lockable-resources locks are global to the Jenkins controller);
- serve: how Smoke and Perf run the built artifact in their pod, the way the Deployment runs it. `baked`:
  the built image is the pod's Triton container. `modelcar` (`image.layout`): the Triton image
  (`triton_image` of build's result.json) runs unchanged with `triton_command` and `triton_args`, and an
  init container from the model image runs `init_command`, copying its /models into an emptyDir mounted at
  `shared_mount`, which the Triton container mounts at `models_path` — the init-container delivery, which
  works on every cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.errors import BadInput
from tritonship.image.modelcar import SHARED_MOUNT, TRITON_COMMAND, copy_command, repository_path, triton_args

if TYPE_CHECKING:
    from tritonship.spec.model import Spec


@dataclass(frozen=True)
class PlannedEnvironment:
    name: str
    approval: bool
    origin: str | None  # environment whose successful digest is promoted; None: the digest just built
    strategy: str  # rolling | blue-green | canary
    lock: str
    namespace: str
    manual_pauses: int  # strategy steps that wait for a person (Jenkins asks, with its own timeout, each time)

    def to_dict(self) -> dict:
        return {"name": self.name, "approval": self.approval, "from": self.origin, "strategy": self.strategy,
                "lock": self.lock, "namespace": self.namespace, "manual_pauses": self.manual_pauses}




@dataclass(frozen=True)
class ServePlan:
    """How Smoke and Perf run the built artifact in Jenkins (see the module docstring)."""

    layout: str  # baked | modelcar
    base_image: str | None = None  # modelcar: the spec's Triton image (build resolves it to a digest)

    def to_dict(self) -> dict:
        if self.layout != "modelcar":
            return {"layout": self.layout}
        return {"layout": "modelcar", "delivery": "init-container", "base_image": self.base_image,
                "init_command": copy_command(SHARED_MOUNT), "shared_mount": SHARED_MOUNT,
                "models_path": repository_path("init-container"), "triton_command": list(TRITON_COMMAND),
                "triton_args": triton_args("init-container")}


@dataclass(frozen=True)
class PipelinePlan:
    project: str
    dry_run: bool
    environments: tuple[PlannedEnvironment, ...]
    serve: ServePlan = ServePlan("baked")

    def to_dict(self) -> dict:
        return {"project": self.project, "dry_run": self.dry_run,
                "environments": [e.to_dict() for e in self.environments], "serve": self.serve.to_dict()}


def serve_plan(spec: Spec) -> ServePlan:
    """The layout of the spec's image (`image.layout`, default baked) and, for modelcar, its Triton image."""
    layout = getattr(spec.image, "layout", "baked") or "baked"
    return ServePlan(layout, spec.image.base_image if layout == "modelcar" else None)


def plan_pipeline(spec: Spec, *, environments: list[str] | None = None, approval: list[str] | None = None,
                  lock_prefix: str | None = None, dry_run: bool = False) -> PipelinePlan:
    """The ordered environments with approval, origin, strategy and lock (see the module docstring)."""
    order = list(environments) if environments else list(spec.environments)
    _check_names("--env", order, spec)
    duplicates = sorted({n for n in order if order.count(n) > 1})
    if duplicates:
        raise BadInput(f"--env names {', '.join(duplicates)} twice", hint="name each environment once, in order")
    if approval is not None:
        _check_names("--approval", approval, spec)
        strays = [n for n in approval if n not in order]
        if strays:
            raise BadInput(f"--approval names {', '.join(strays)}, which this plan does not promote to",
                           hint=f"environments planned: {', '.join(order) or 'none'}")
    prefix = f"{spec.project}-" if lock_prefix is None else lock_prefix
    planned = []
    previous: str | None = None
    for name in order:
        env = spec.environments[name]
        origin = None if dry_run else (env.promote_from or previous)
        wants_approval = name in approval if approval is not None else env.approval
        planned.append(PlannedEnvironment(name, wants_approval, origin, env.strategy.kind, prefix + name,
                                          env.namespace, _manual_pauses(env)))
        previous = name
    return PipelinePlan(spec.project, dry_run, tuple(planned), serve_plan(spec))


def _manual_pauses(env) -> int:
    """Canary `pause: {}` steps without a duration, and a blue-green `manual_pause`, wait for a person."""
    strategy = env.strategy
    if strategy.canary is not None:
        return sum(1 for step in strategy.canary.steps if step.pause is not None and step.pause.duration is None)
    return 1 if strategy.blue_green is not None and strategy.blue_green.manual_pause else 0


def _check_names(flag: str, names: list[str], spec: Spec) -> None:
    from tritonship.spec.suggest import did_you_mean

    for name in names:
        if name not in spec.environments:
            where = spec.path or "tritonship.yaml"
            raise BadInput(f"{flag} {name!r}: {where} has no such environment{did_you_mean(name, spec.environments)}",
                           hint=f"environments defined: {', '.join(spec.environments) or 'none'}")
