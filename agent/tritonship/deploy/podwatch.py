"""Fail fast on pods that cannot start, instead of waiting out the progress deadline.

While a rollout is waited for, the new revision's pods are read. A container waiting with one of the
kubelet's terminal-looking reasons (pkg/kubelet/images/types.go: `ErrImagePull`, `ImagePullBackOff`,
`InvalidImageName`; pkg/kubelet/kuberuntime: `CrashLoopBackOff`, `CreateContainerConfigError`) fails
the step at once; a pod whose `PodScheduled` condition is `False` with reason `Unschedulable`
(v1.PodReasonUnschedulable, set by the scheduler) fails it once we have seen it so for longer than a
grace (default 2 minutes: the cluster autoscaler may still add a node). The failure names the pod, the
reason and message, the restart count and, for a crashing container, the last lines of its previous
run's log (GET pods/NAME/log?previous=true&tailLines=N, as `kubectl logs --previous` reads them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.deploy.clock import Clock
    from tritonship.deploy.kube import Kube

FATAL_WAITING = ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                 "InvalidImageName")
UNSCHEDULABLE_GRACE = 120.0
LOG_LINES = 20


@dataclass(frozen=True)
class PodProblem:
    pod: str
    container: str
    reason: str
    message: str
    restarts: int
    log: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f"pod {self.pod}" + (f" container {self.container}" if self.container else "")
        text = f"{where}: {self.reason}"
        if self.message:
            text += f" ({self.message})"
        text += f", {self.restarts} restart{'s' if self.restarts != 1 else ''}"
        if self.log:
            text += "; last log lines:\n" + "\n".join(f"    {line}" for line in self.log)
        return text


def container_problem(pod: dict) -> PodProblem | None:
    """The first container (init containers first) waiting with a fatal reason. Pure."""
    status = pod.get("status") or {}
    for cs in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in FATAL_WAITING:
            return PodProblem(pod["metadata"]["name"], cs.get("name", ""), waiting["reason"],
                              waiting.get("message", ""), int(cs.get("restartCount", 0)))
    return None


def unschedulable(pod: dict) -> PodProblem | None:
    """The scheduler's verdict, if it could not place the pod. Pure."""
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False" and \
                cond.get("reason") == "Unschedulable":
            return PodProblem(pod["metadata"]["name"], "", "Unschedulable", cond.get("message", ""), 0)
    return None


def is_release_pod(pod: dict, dep: dict) -> bool:
    """A pod of the Deployment's current template: same images and revision label. Pure."""
    template = dep["spec"]["template"]
    want_images = [c.get("image") for c in template["spec"].get("containers") or []]
    have_images = [c.get("image") for c in (pod.get("spec") or {}).get("containers") or []]
    label = "tritonship.io/revision"
    want_rev = ((template.get("metadata") or {}).get("labels") or {}).get(label)
    return have_images == want_images and ((pod["metadata"].get("labels") or {}).get(label) == want_rev)


class PodWatch:
    """Remembers since when each pod has been unschedulable (on our clock) across polls."""

    def __init__(self, kube: Kube, namespace: str, clock: Clock, *, grace: float = UNSCHEDULABLE_GRACE,
                 log_lines: int = LOG_LINES) -> None:
        self.kube, self.namespace, self.clock = kube, namespace, clock
        self.grace, self.log_lines = grace, log_lines
        self._pending_since: dict[str, float] = {}

    def check(self, dep: dict) -> PodProblem | None:
        match = (dep["spec"].get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in sorted(match.items()))
        pods = [p for p in self.kube.list("Pod", self.namespace, selector) if is_release_pod(p, dep)]
        now = self.clock.now()
        for pod in pods:
            problem = container_problem(pod)
            if problem is not None:
                return self._with_log(problem)
            stuck = unschedulable(pod)
            if stuck is None:
                self._pending_since.pop(pod["metadata"]["name"], None)
                continue
            since = self._pending_since.setdefault(stuck.pod, now)
            if now - since >= self.grace:
                return PodProblem(stuck.pod, "", stuck.reason, f"{stuck.message} (for {now - since:.0f}s)", 0)
        return None

    def _with_log(self, problem: PodProblem) -> PodProblem:
        if problem.reason != "CrashLoopBackOff":
            return problem
        from tritonship.deploy.kube import ApiError

        try:
            text = self.kube.pod_log(problem.pod, self.namespace, container=problem.container,
                                     tail=self.log_lines, previous=True)
        except ApiError:  # no previous run to read: say what we know without it
            return problem
        lines = tuple(line for line in text.splitlines() if line.strip())[-self.log_lines:]
        return PodProblem(problem.pod, problem.container, problem.reason, problem.message, problem.restarts, lines)
