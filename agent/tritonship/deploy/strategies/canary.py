"""Canary without a service mesh: stable and canary Deployments behind one Service.

Traffic follows pods, so a weight is realised by the replica ratio (Argo Rollouts' basic canary):
`replica_split` says how many canary pods a weight needs and which weight that really gives, and
the step says it. Optionally a *baseline* Deployment of the old version starts with the canary, so
the judge compares two equally young sets of pods. Steps, top to bottom:

    canary-start      canary (and baseline) Deployments at 0 replicas; the Service spans all tracks
    N:set-weight-W    scale canary (+ baseline) up, wait, then stable down to the rest
    N:pause           wait a duration, or pause for a person (--resume / --abort)
    N:analysis        metric checks on the canary (and the judge against baseline or stable)
    promote           the stable Deployment takes the new image at full size; canary and baseline -> 0

Rollback and abort put the previous release's exact manifests back (stable at full size, all
traffic) and scale canary and baseline to 0. The very first release has nothing to compare with and
is rolled out like a rolling update.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from tritonship.deploy import steps
from tritonship.deploy.strategies import NEXT, Step, StepOutcome, fail, pause
from tritonship.deploy.strategies.rolling import Rolling

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release
    from tritonship.deploy.promotion import Promotion
    from tritonship.spec.environment import AnalysisStep

TRACK_LABEL = "tritonship.io/track"


@dataclass(frozen=True)
class Split:
    canary: int
    baseline: int
    stable: int

    @property
    def actual_pct(self) -> float:
        total = self.canary + self.baseline + self.stable
        return round(100.0 * self.canary / total, 1) if total else 0.0


def replica_split(total: int, weight: int, baseline: bool) -> Split:
    """Pods per track for a weight. Pure. A weight between 0 and 100 keeps at least one canary and
    one stable pod; the baseline (when used) is as large as the canary, beside stable."""
    if weight <= 0 or total <= 0:
        return Split(0, 0, max(total, 0))
    if weight >= 100:
        return Split(total, 0, 0)
    canary = max(1, math.floor(total * weight / 100 + 0.5))
    if total > 1:
        canary = min(canary, total - 1)
    stable = max(1, total - canary)
    return Split(canary, canary if baseline else 0, stable)


def deployment_names(manifests: list[dict]) -> list[str]:
    return [d["metadata"]["name"] for d in steps.deployments_of(manifests)]


class Canary:
    name = "canary"

    def steps(self, p: Promotion) -> list[Step]:
        if p.previous is None:
            return Rolling().steps(p)
        out = [Step("canary-start", self.start, "applying")]
        for i, s in enumerate(p.env.strategy.canary.steps, 1):
            if s.set_weight is not None:
                out.append(Step(f"{i}:set-weight-{s.set_weight}", partial(self.set_weight, weight=s.set_weight),
                                "progressing"))
            elif s.pause is not None:
                out.append(Step(f"{i}:pause", partial(self.pause, duration=s.pause.duration, index=i), "paused"))
            else:
                out.append(Step(f"{i}:analysis", partial(self.analysis, spec=s.analysis, name=f"{i}:analysis"),
                                "analysing"))
        out.append(Step("promote", self.promote, "promoting"))
        return out

    # -- the steps -------------------------------------------------------------------------------
    def start(self, p: Promotion) -> StepOutcome:
        from tritonship.deploy.analysis.step import require_provider

        if any(s.analysis is not None for s in p.env.strategy.canary.steps):
            require_provider(p)
        p.manifests = p.render()  # what this release is once promoted: the stable objects
        p.save()
        objects = p.render(track="canary", replicas=0, kinds=("Deployment",))
        if p.env.strategy.canary.baseline:
            objects += self._baseline(p, replicas=0)
        steps.apply_all(p.kube, objects)
        self._service_spans_tracks(p)
        p.note(f"canary started: {', '.join(deployment_names(objects))} at 0 replicas beside stable")
        return NEXT

    def set_weight(self, p: Promotion, weight: int) -> StepOutcome:
        from tritonship.deploy import sizing

        split = sizing.split_for(p, weight, self._stable_names(p))  # HPA-aware (deploy/sizing.py)
        scaled = [(self._canary_name(p), split.canary)]
        if p.env.strategy.canary.baseline:
            scaled.append((self._baseline_name(p), split.baseline))
        for name, replicas in scaled:  # grow the new pods first, then shrink stable
            steps.scale(p.kube, p.namespace, name, replicas)
        for name, _ in scaled:
            status = p.wait_deployment(name, expect=self._rendered(p, name))
            if not status.done:
                return fail(f"{name} did not become ready: {status.message}")
        for name in self._stable_names(p):
            steps.scale(p.kube, p.namespace, name, split.stable)
        p.state["weight"] = {"requested": weight, "actual_pct": split.actual_pct, "canary": split.canary,
                             "baseline": split.baseline, "stable": split.stable}
        p.save()
        p.note(f"weight {weight}% requested: {split.canary} canary, {split.baseline} baseline, {split.stable} "
               f"stable pods -> {split.actual_pct:g}% of traffic to the canary")
        return NEXT

    def pause(self, p: Promotion, duration: float | None, index: int) -> StepOutcome:
        if duration is None:
            return pause(f"manual pause (step {index}): promote --resume to continue, --abort to undo")
        p.note(f"pausing {duration:g}s")
        p.wait_until(f"pause_until:{index}", duration)  # the deadline is in the ledger: a resume waits the rest
        return NEXT

    def analysis(self, p: Promotion, spec: AnalysisStep, name: str) -> StepOutcome:
        from tritonship.deploy.analysis.step import analysis_step

        baseline = "baseline" if p.env.strategy.canary.baseline else "stable"
        return analysis_step(p, name, "canary", metrics=spec.metrics, judge=spec.judge, baseline_track=baseline)

    def promote(self, p: Promotion) -> StepOutcome:
        p.manifests = p.render()
        p.save()
        steps.apply_all(p.kube, p.manifests)
        from tritonship.deploy import sizing

        for dep in steps.deployments_of(p.manifests):
            name = dep["metadata"]["name"]
            sizing.ensure_size(p, name, sizing.track_size(p, self._stable_names(p)))  # no-op without an HPA
            status = p.converge(dep)
            if not status.done:
                return fail(f"stable did not take the new image: {status.message}")
        self._scale_down_extras(p, keep=deployment_names(p.manifests))
        p.note(f"canary promoted: {', '.join(deployment_names(p.manifests))} runs revision {p.revision}")
        return NEXT

    # -- undo ------------------------------------------------------------------------------------
    def rollback(self, p: Promotion, reason: str) -> None:
        if p.previous is None or not p.previous.manifests:
            Rolling().rollback(p, reason)
            return
        self._return_to(p, p.previous)
        p.note(f"all traffic back on stable (revision {p.previous.revision}); canary scaled to 0")

    def abort(self, p: Promotion) -> None:
        self.rollback(p, "aborted")

    def restore(self, p: Promotion, target: Release) -> None:
        self._return_to(p, target)

    def _return_to(self, p: Promotion, target: Release) -> None:
        Rolling().restore(p, target)  # exact manifests back, waited for
        self._scale_down_extras(p, keep=deployment_names(target.manifests))

    # -- helpers ---------------------------------------------------------------------------------
    def _baseline(self, p: Promotion, replicas: int) -> list[dict]:
        from tritonship.deploy.manifests import render_release
        from tritonship.deploy.workload import Workload

        prev = p.previous  # the baseline runs what the stable release runs: its recorded pair
        return render_release(p.spec, p.env_name, prev.image, prev.revision, track="baseline",
                              replicas=replicas, kinds=("Deployment",), workload=Workload.of(prev))

    def _rendered(self, p: Promotion, name: str) -> dict:
        """The canary or baseline Deployment as rendered (what its pods must run)."""
        if name == self._baseline_name(p):
            return self._baseline(p, replicas=0)[0]
        return p.render(track="canary", replicas=0, kinds=("Deployment",))[0]

    def _canary_name(self, p: Promotion) -> str:
        return f"{p.app}-canary"

    def _baseline_name(self, p: Promotion) -> str:
        return f"{p.app}-baseline"

    def _stable_names(self, p: Promotion) -> list[str]:
        return deployment_names(p.previous.manifests) if p.previous else []

    def _service_spans_tracks(self, p: Promotion) -> None:
        """The Service selects the app, not a track (a blue-green release before may have pinned one)."""
        service = p.render(kinds=("Service",))[0]
        steps.apply_all(p.kube, [service])
        if TRACK_LABEL in (p.kube.get("Service", service["metadata"]["name"], p.namespace)["spec"].get("selector")
                           or {}):
            steps.switch_selector(p.kube, p.namespace, service["metadata"]["name"], {TRACK_LABEL: None})

    def _scale_down_extras(self, p: Promotion, keep: list[str]) -> None:
        names = {self._canary_name(p), self._baseline_name(p), *self._stable_names(p),
                 *deployment_names(p.manifests)}
        for name in sorted(names - set(keep)):
            if p.kube.find("Deployment", name, p.namespace) is not None:
                steps.scale(p.kube, p.namespace, name, 0)
