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
                 poll: float = 0.25) -> RolloutStatus:
    """Wait until the Deployment is rolled out or fails. The controller's own progress deadline is the
    main verdict; `deadline_s` is our backstop when the controller never reports one."""
    end = clock.now() + deadline_s
    said = ""
    while True:
        heartbeat()
        dep = kube.get("Deployment", name, namespace)
        status = rollout_status(dep)
        if status.message != said:
            log(status.message)
            said = status.message
        if status.done or status.failed:
            return status
        if clock.now() >= end:
            return RolloutStatus(False, True, f"deployment {name!r} not rolled out after {deadline_s:.0f}s: "
                                              f"{status.message}")
        clock.sleep(poll)


def scale(kube: Kube, namespace: str, name: str, replicas: int) -> None:
    kube.merge_patch("Deployment", name, namespace, {"spec": {"replicas": replicas}})


def switch_selector(kube: Kube, namespace: str, service: str, selector: dict[str, str]) -> None:
    """Point a Service at other pods (merge patch: keys given are set, the rest kept)."""
    kube.merge_patch("Service", service, namespace, {"spec": {"selector": selector}})


def delete(kube: Kube, kind: str, namespace: str, name: str) -> bool:
    return kube.delete(kind, name, namespace)


def deployments_of(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o.get("kind") == "Deployment"]
