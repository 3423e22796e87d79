"""Blue-green: two Deployments by colour; the active Service selects one colour at a time.

    preview                  the new colour (`app-blue` / `app-green`) at preview size, and a preview
                             Service (`app-preview`) on it; waited for
    pre-promotion-analysis   metric checks on the new colour through its own pods (if analysis is set)
    manual-pause             wait for a person (if `manual_pause`)
    switch                   new colour at full size, then the active Service's selector moves to it
    post-promotion-analysis  metric checks on the new colour serving everyone; failure switches back
    scale-down-old           after `scale_down_delay` the old colour goes to 0 replicas

The old colour stays warm until the last step, so a rollback inside that window only moves the
Service selector back: instant. Later, the old Deployment's exact spec is re-applied first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.deploy import steps
from tritonship.deploy.strategies import NEXT, Step, StepOutcome, fail, pause
from tritonship.deploy.strategies.canary import TRACK_LABEL, deployment_names

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release
    from tritonship.deploy.promotion import Promotion

COLOURS = ("blue", "green")


def track_of(manifests: list[dict]) -> str | None:
    """The track (colour) label of a release's Deployment."""
    for dep in steps.deployments_of(manifests):
        return dep["metadata"].get("labels", {}).get(TRACK_LABEL)
    return None


def next_colour(previous_track: str | None) -> str:
    """The colour the new release takes: the one the running release does not use. Pure."""
    return "green" if previous_track == "blue" else "blue"


class BlueGreen:
    name = "blue-green"

    def steps(self, p: Promotion) -> list[Step]:
        bg = p.env.strategy.blue_green
        analysed = self._analysed(p)
        out = [Step("preview", self.preview, "applying")]
        from tritonship.deploy.preview_smoke import pre_promotion_checks, smoke_step

        checks = pre_promotion_checks(bg, analysed)  # smoke by default; analysis only on mirrored traffic
        if "smoke" in checks:
            out.append(Step("pre-promotion-smoke", smoke_step, "analysing"))
        if "analysis" in checks:
            out.append(Step("pre-promotion-analysis", self.pre_analysis, "analysing"))
        if bg.manual_pause and p.previous is not None:  # a first release has no traffic to protect
            out.append(Step("manual-pause", self.manual_pause, "paused"))
        out.append(Step("switch", self.switch, "promoting"))
        if bg.post_promotion_analysis and analysed:
            out.append(Step("post-promotion-analysis", self.post_analysis, "analysing"))
        out.append(Step("scale-down-old", self.scale_down_old, "promoting"))
        return out

    # -- the steps -------------------------------------------------------------------------------
    def preview(self, p: Promotion) -> StepOutcome:
        from tritonship.deploy.analysis.step import require_provider

        colour = self._colour(p)
        bg = p.env.strategy.blue_green
        if self._analysed(p) and (bg.pre_promotion_analysis or bg.post_promotion_analysis):
            require_provider(p)
        from tritonship.deploy import sizing

        active = deployment_names(p.previous.manifests) if p.previous else []
        size = sizing.track_size(p, active) if bg.preview_replicas is None else bg.preview_replicas
        p.manifests = self._release(p, colour)
        p.save()
        objects = [*p.render(track=colour, replicas=size, kinds=("Deployment",)), self._preview_service(p, colour)]
        steps.apply_all(p.kube, objects)
        sizing.ensure_size(p, f"{p.app}-{colour}", size)  # under an HPA the manifest has no replicas
        p.note(f"preview: {p.app}-{colour} at {size} replicas behind {p.app}-preview")
        status = p.wait_deployment(f"{p.app}-{colour}", expect=objects[0])
        return NEXT if status.done else fail(f"the {colour} preview did not become ready: {status.message}")

    def pre_analysis(self, p: Promotion) -> StepOutcome:
        from tritonship.deploy.analysis.step import analysis_step

        return analysis_step(p, "pre-promotion-analysis", self._colour(p))

    def manual_pause(self, p: Promotion) -> StepOutcome:
        return pause(f"the {self._colour(p)} preview waits for a person: promote --resume switches traffic to it, "
                     "--abort removes it")

    def switch(self, p: Promotion) -> StepOutcome:
        colour = self._colour(p)
        p.manifests = self._release(p, colour)
        deployments = steps.deployments_of(p.manifests)
        from tritonship.deploy import sizing

        if p.env.autoscaling is not None:  # the manifest has no replicas: size the colour through the scale path
            steps.apply_all(p.kube, deployments)
            active = deployment_names(p.previous.manifests) if p.previous else []
            sizing.ensure_size(p, f"{p.app}-{colour}", sizing.track_size(p, active))
        for dep in deployments:
            status = p.converge(dep)
            if not status.done:
                return fail(f"{p.app}-{colour} did not scale to {p.env.replicas}: {status.message}")
        steps.apply_all(p.kube, [o for o in p.manifests if o.get("kind") != "Deployment"])
        p.state["switched_at"] = p.clock.now()
        p.save()
        p.note(f"switched: Service {p.app} now selects {colour} (revision {p.revision})")
        return NEXT

    def post_analysis(self, p: Promotion) -> StepOutcome:
        from tritonship.deploy.analysis.step import analysis_step

        return analysis_step(p, "post-promotion-analysis", self._colour(p))

    def scale_down_old(self, p: Promotion) -> StepOutcome:
        if not self._old_deployments(p):
            return NEXT
        delay = p.env.strategy.blue_green.scale_down_delay
        left = p.state.get("switched_at", p.clock.now()) + delay - p.clock.now()
        if left > 0:
            p.note(f"keeping the old colour warm for {left:.0f}s (instant rollback until then)")
            p.wait(left)
        old = self._old_deployments(p)
        for name in old:
            steps.scale(p.kube, p.namespace, name, 0)
        p.note(f"scaled {', '.join(old)} to 0")
        return NEXT

    # -- undo ------------------------------------------------------------------------------------
    def rollback(self, p: Promotion, reason: str) -> None:
        colour = self._colour(p)
        if p.previous is None or not p.previous.manifests:
            steps.scale(p.kube, p.namespace, f"{p.app}-{colour}", 0)
            p.note("no earlier release to return to: scaled the new colour to 0 replicas")
            return
        self._back_to(p, p.previous, new_names=[f"{p.app}-{colour}"])

    def abort(self, p: Promotion) -> None:
        self.rollback(p, "aborted")

    def restore(self, p: Promotion, target: Release) -> None:
        running = deployment_names(p.previous.manifests) if p.previous else []
        self._back_to(p, target, new_names=running)

    def _back_to(self, p: Promotion, target: Release, new_names: list[str]) -> None:
        """Traffic back to `target`: its colour is *warm* only when its Deployment runs the target's
        image and revision with every replica available (verify.deployment_problems); otherwise the
        target's exact Deployment is re-applied and waited for. Then the selector moves and the rest
        goes to 0."""
        from tritonship.deploy.verify import deployment_problems

        for dep in steps.deployments_of(target.manifests):
            name, want = dep["metadata"]["name"], dep["spec"].get("replicas", 1)
            cold = deployment_problems(p.kube.find("Deployment", name, p.namespace), dep)
            if not cold:
                p.note(f"{name} is still warm with revision {target.revision} ({want} replicas): switching back "
                       "instantly")
                continue
            p.note(f"{name} is not warm ({'; '.join(cold)}): re-applying revision {target.revision}")
            status = p.converge(dep)
            if not status.done:
                from tritonship.errors import InfraError

                raise InfraError(f"{name} did not come back: {status.message}")
        old_track = track_of(target.manifests) or "stable"
        steps.apply_all(p.kube, [o for o in target.manifests if o.get("kind") != "Deployment"])
        steps.switch_selector(p.kube, p.namespace, p.app, {TRACK_LABEL: old_track})
        for name in sorted(set(new_names) - set(deployment_names(target.manifests))):
            if p.kube.find("Deployment", name, p.namespace) is not None:
                steps.scale(p.kube, p.namespace, name, 0)
        p.note(f"Service {p.app} selects {old_track} again (revision {target.revision})")

    # -- helpers ---------------------------------------------------------------------------------
    def _analysed(self, p: Promotion) -> bool:
        return p.env.analysis is not None and bool(p.env.analysis.metrics) and p.previous is not None

    def _colour(self, p: Promotion) -> str:
        if "colour" not in p.state:
            p.state["colour"] = next_colour(track_of(p.previous.manifests) if p.previous else None)
            p.save()
        return p.state["colour"]

    def _release(self, p: Promotion, colour: str) -> list[dict]:
        """This release's objects: the colour Deployment at full size, the active Service on it, the preview."""
        return [*p.render(track=colour, service_selector={TRACK_LABEL: colour}), self._preview_service(p, colour)]

    def _preview_service(self, p: Promotion, colour: str) -> dict:
        return p.render(kinds=("Service",), service_name=f"{p.app}-preview", service_selector={TRACK_LABEL: colour})[0]

    def _old_deployments(self, p: Promotion) -> list[str]:
        if p.previous is None:
            return []
        mine = set(deployment_names(p.manifests))
        return [n for n in deployment_names(p.previous.manifests) if n not in mine
                and p.kube.find("Deployment", n, p.namespace) is not None]
