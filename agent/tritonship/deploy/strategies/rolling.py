"""Rolling update: apply the release, wait as `kubectl rollout status` does (watching the new pods and
verifying the image and revision that run); on failure, re-apply the
previous release's exact manifests (or scale the new one to zero when there is none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tritonship.deploy import steps
from tritonship.deploy.strategies import NEXT, Step, StepOutcome, fail

if TYPE_CHECKING:
    from tritonship.deploy.ledger import Release
    from tritonship.deploy.promotion import Promotion


class Rolling:
    name = "rolling"

    def steps(self, p: Promotion) -> list[Step]:
        return [Step("apply", self.apply, "applying"), Step("rollout", self.rollout, "progressing")]

    def apply(self, p: Promotion) -> StepOutcome:
        p.manifests = p.render()
        p.save()
        steps.apply_all(p.kube, p.manifests)
        p.note(f"applied {len(p.manifests)} objects for revision {p.revision}")
        return NEXT

    def rollout(self, p: Promotion) -> StepOutcome:
        if not p.manifests:  # resumed before the apply step recorded them
            p.manifests = p.render()
        for dep in steps.deployments_of(p.manifests):  # re-applied if it does not run this revision
            status = p.converge(dep)
            if not status.done:
                return fail(status.message)
            p.events.append(status.message)  # wait_rollout already logged it
        return NEXT

    def rollback(self, p: Promotion, reason: str) -> None:
        if p.previous is not None and p.previous.manifests:
            self.restore(p, p.previous)
            return
        for dep in steps.deployments_of(p.manifests or p.render()):
            steps.scale(p.kube, p.namespace, dep["metadata"]["name"], 0)
        p.note("no earlier release to return to: scaled the new release to 0 replicas")

    def abort(self, p: Promotion) -> None:
        self.rollback(p, "aborted")

    def restore(self, p: Promotion, target: Release) -> None:
        steps.apply_all(p.kube, target.manifests)
        p.note(f"re-applied the manifests of revision {target.revision} ({target.image})")
        for dep in steps.deployments_of(target.manifests):
            status = p.converge(dep)
            p.events.append(status.message)
            if not status.done:
                from tritonship.errors import InfraError

                raise InfraError(f"rollback to revision {target.revision} did not complete: {status.message}")
