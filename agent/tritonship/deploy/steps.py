"""Steps shared by every strategy: apply, wait for a Deployment, scale, switch a Service, delete.

`rollout_status` is the decision `kubectl rollout status` makes, as a pure function of a Deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.deploy.clock import Clock
    from tritonship.deploy.kube import Kube


@dataclass(frozen=True)
class RolloutStatus:
    done: bool
    failed: bool
    message: str


def rollout_status(dep: dict) -> RolloutStatus:
    """kubectl's DeploymentStatusViewer: observedGeneration, updated/ready/available replicas, deadline."""
    name = dep["metadata"]["name"]
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    if dep["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
        return RolloutStatus(False, False, f"waiting for deployment {name!r} spec update to be observed")
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            return RolloutStatus(False, True, f"deployment {name!r} exceeded its progress deadline: "
                                              f"{cond.get('message', '')}".rstrip(": "))
    want = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    replicas = status.get("replicas", 0)
    available = status.get("availableReplicas", 0)
    if updated < want:
        return RolloutStatus(False, False, f"{updated} out of {want} new replicas have been updated")
    if replicas > updated:
        return RolloutStatus(False, False, f"{replicas - updated} old replicas are pending termination")
    if available < updated:
        return RolloutStatus(False, False, f"{available} of {updated} updated replicas are available")
    return RolloutStatus(True, False, f"deployment {name!r} successfully rolled out")


def apply_all(kube: Kube, objects: list[dict]) -> list[dict]:
    """Server-side apply each object (field manager tritonship); returns what the server holds."""
    return [kube.apply(obj) for obj in objects]


def wait_rollout(kube: Kube, namespace: str, name: str, clock: Clock, *, deadline_s: float,
                 heartbeat: Callable[[], None] = lambda: None, log: Callable[[str], None] = lambda _m: None,
                 poll: float = 0.25, expect: dict | None = None, pods: bool = True,
                 grace: float | None = None) -> RolloutStatus:
    """Wait until the Deployment is rolled out or fails. The controller's own progress deadline is the
    main verdict; `deadline_s` is our backstop when the controller never reports one. With `expect`
    (the Deployment as rendered), a Deployment that stops carrying its image and revision fails the
    wait at once; with `pods`, so does a pod of the new revision that cannot start (deploy/podwatch.py)."""
    from tritonship.deploy.podwatch import UNSCHEDULABLE_GRACE, PodWatch
    from tritonship.deploy.verify import carries

    watch = PodWatch(kube, namespace, clock, grace=UNSCHEDULABLE_GRACE if grace is None else grace) if pods else None
    end = clock.now() + deadline_s
    said = ""
    while True:
        heartbeat()
        dep = kube.get("Deployment", name, namespace)
        if expect is not None and (drift := carries(dep, expect)):
            return RolloutStatus(False, True, f"{'; '.join(drift)} (changed while we waited)")
        status = rollout_status(dep)
        if status.message != said:
            log(status.message)
            said = status.message
        if status.done or status.failed:
            return status
        problem = watch.check(dep) if watch is not None else None
        if problem is not None:
            return RolloutStatus(False, True, f"deployment {name!r}: {problem.describe()}")
        if clock.now() >= end:
            return RolloutStatus(False, True, f"deployment {name!r} not rolled out after {deadline_s:.0f}s: "
                                              f"{status.message}")
        clock.sleep(poll)


def converge(kube: Kube, namespace: str, want: dict, clock: Clock, *, deadline_s: float,
             heartbeat: Callable[[], None] = lambda: None, log: Callable[[str], None] = lambda _m: None,
             grace: float | None = None) -> RolloutStatus:
    """Make a Deployment run `want`: apply it unless it already carries the image, revision and replica
    count, wait for the rollout (watching the pods), then verify what runs. Idempotent."""
    from tritonship.deploy.verify import carries, deployment_problems

    name = want["metadata"]["name"]
    live = kube.find("Deployment", name, namespace)
    replicas = (want.get("spec") or {}).get("replicas")  # absent under an HPA, which owns the field
    if carries(live, want) or (replicas is not None and (live.get("spec") or {}).get("replicas", 1) != replicas):
        kube.apply(want)
    status = wait_rollout(kube, namespace, name, clock, deadline_s=deadline_s, heartbeat=heartbeat, log=log,
                          expect=want, grace=grace)
    if not status.done:
        return status
    problems = deployment_problems(kube.get("Deployment", name, namespace), want)
    return RolloutStatus(False, True, "; ".join(problems)) if problems else status


def scale(kube: Kube, namespace: str, name: str, replicas: int) -> None:
    kube.merge_patch("Deployment", name, namespace, {"spec": {"replicas": replicas}})


def switch_selector(kube: Kube, namespace: str, service: str, selector: dict[str, str]) -> None:
    """Point a Service at other pods (merge patch: keys given are set, the rest kept)."""
    kube.merge_patch("Service", service, namespace, {"spec": {"selector": selector}})


def delete(kube: Kube, kind: str, namespace: str, name: str) -> bool:
    return kube.delete(kind, name, namespace)


def deployments_of(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o.get("kind") == "Deployment"]
