"""Promotion strategies: each one is a list of small, idempotent, named steps.

The interface (argo-rollouts style). A strategy module exposes a class with:

    name: str                                        # "rolling" | "blue-green" | "canary"
    def steps(self, p: Promotion) -> list[Step]      # the strategy, read top to bottom
    def rollback(self, p: Promotion, reason: str) -> None
        # a step failed: return everything to `p.previous` (the last succeeded release; its
        # `manifests` are the exact objects it applied) or, with no previous release, scale the
        # new release to zero. Must be idempotent (it may run again after a crash).
    def abort(self, p: Promotion) -> None
        # `promote --abort`, or a different image arrived while this attempt was open: undo it
        # cleanly. Usually the same as rollback.
    def restore(self, p: Promotion, target: Release) -> None
        # `tritonship rollback [--to REVISION]`: put `target`'s manifests back, fast (no analysis).

`Step(name, run, phase)`: `phase` is the release phase (deploy/phases.py) the engine records before
the step touches the cluster. `run(p) -> StepOutcome` performs the next piece of work and returns
`NEXT`, `pause(reason)` (the command ends with exit 0 and status "paused"; `promote --resume`
continues with the following step, or re-runs this one if `retry=True`) or `fail(reason)` (the
engine calls `rollback`, records outcome "rolled-back" and exits 1).

The engine (deploy/engine.py) owns everything around the steps: before each step it records
`step`/`step_index` and `p.state` in the ledger (so a killed agent resumes at the step it was
running; steps must therefore be safe to run twice), it renews the lock (steps that wait call
`p.heartbeat()`), and it records the outcome. A step keeps its own progress in `p.state` (a
JSON-able dict) and calls `p.save()` after changing it. Objects applied go to `p.manifests`
(recorded with the release, used by later rollbacks). Waiting goes through `p.clock`, never
time.sleep; a timed wait keeps its deadline in `p.state` (`p.wait_until`) so a resume waits only the
remainder. A Deployment is waited for with `p.converge(rendered)` or `p.wait_deployment(name,
expect)`, which watch its pods and verify that it runs the rendered image and revision. Shared
steps (apply, wait for a Deployment, scale, switch a Service selector, delete) live once in `deploy/steps.py`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release
    from tritonship.deploy.promotion import Promotion


@dataclass(frozen=True)
class StepOutcome:
    kind: str  # next | pause | fail
    reason: str = ""
    retry: bool = False


NEXT = StepOutcome("next")


def pause(reason: str, *, retry: bool = False) -> StepOutcome:
    return StepOutcome("pause", reason, retry)


def fail(reason: str) -> StepOutcome:
    return StepOutcome("fail", reason)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Promotion], StepOutcome]
    phase: str = "progressing"  # the release phase (deploy/phases.py) recorded before the step runs


@runtime_checkable
class Strategy(Protocol):
    """What the engine (deploy/release_run.py) calls on a strategy; see the module docstring for the
    contract of each method. Rolling, BlueGreen and Canary satisfy it structurally."""

    name: str

    def steps(self, p: Promotion) -> list[Step]: ...

    def rollback(self, p: Promotion, reason: str) -> None: ...

    def abort(self, p: Promotion) -> None: ...

    def restore(self, p: Promotion, target: Release) -> None: ...


# name -> "module:Class"; a module is imported only when its strategy is used, so the CLI stays fast.
STRATEGIES: dict[str, str] = {
    "rolling": "tritonship.deploy.strategies.rolling:Rolling",
    "blue-green": "tritonship.deploy.strategies.bluegreen:BlueGreen",
    "canary": "tritonship.deploy.strategies.canary:Canary",
}


def get_strategy(name: str) -> Strategy:
    from tritonship.errors import BadInput

    if name not in STRATEGIES:
        raise BadInput(f"unknown strategy {name!r}; known: {', '.join(STRATEGIES)}")
    module_name, cls_name = STRATEGIES[name].split(":")
    return getattr(importlib.import_module(module_name), cls_name)()
