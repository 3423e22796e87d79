"""Before a promotion touches anything: namespace, permissions, image, capacity.

Each check returns a `Check`; a failed check fails the gate (exit 1) with its detail. Checks named
in `skip` (image, capacity, rbac) are reported as skipped and recorded in the release history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.deploy import capacity
from tritonship.deploy.manifests import base_labels, pod_resources

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.spec.environment import Environment
    from tritonship.spec.model import Spec

SKIPPABLE = ("image", "capacity", "rbac", "origin")  # origin: the `from:` gate, checked by the engine

# (verb, group, resource) every promotion needs in the namespace (server-side apply is a PATCH).
NEEDED = [
    ("get", "apps", "deployments"), ("create", "apps", "deployments"), ("patch", "apps", "deployments"),
    ("get", "", "services"), ("patch", "", "services"),
    ("get", "", "configmaps"), ("create", "", "configmaps"), ("update", "", "configmaps"),
    ("get", "coordination.k8s.io", "leases"), ("create", "coordination.k8s.io", "leases"),
    ("update", "coordination.k8s.io", "leases"), ("delete", "coordination.k8s.io", "leases"),
    ("patch", "policy", "poddisruptionbudgets"),
]




def needed_permissions(env: Environment) -> list[tuple[str, str, str]]:
    """What this environment's promotion will ask the API server for: the common set, plus the
    optional objects it renders (HorizontalPodAutoscaler, ServiceMonitor)."""
    needed = list(NEEDED)
    if env.autoscaling:
        needed.append(("patch", "autoscaling", "horizontalpodautoscalers"))
    if env.service_monitor:
        needed.append(("patch", "monitoring.coreos.com", "servicemonitors"))
    return needed


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # passed | failed | skipped
    detail: str


@dataclass(frozen=True)
class PreflightReport:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.status != "failed" for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == "failed"]


def run_preflight(kube: Kube, spec: Spec, env_name: str, image: str, *, skip: tuple[str, ...] = (),
                  image_exists: Callable[[str], tuple[bool, str]] | None = None) -> PreflightReport:
    env = spec.environments[env_name]
    checks = [_namespace(kube, env.namespace)]
    if checks[0].status == "failed":
        return PreflightReport(tuple(checks))
    from tritonship.deploy.discovery import check_api  # every kind the release applies is served

    checks.append(check_api(kube, spec, env_name, image))
    checks.append(_skipped("rbac") if "rbac" in skip else _rbac(kube, env.namespace, needed_permissions(env)))
    if "image" in skip or image_exists is None:
        checks.append(_skipped("image", "" if "image" in skip else "no registry client"))
    else:
        ok, detail = image_exists(image)
        checks.append(Check("image", "passed" if ok else "failed", detail))
    checks.append(_skipped("capacity") if "capacity" in skip else _capacity(kube, spec, env_name))
    return PreflightReport(tuple(checks))


def _skipped(name: str, why: str = "") -> Check:
    return Check(name, "skipped", why or "skipped with --skip-preflight")


def _namespace(kube: Kube, namespace: str) -> Check:
    if kube.find("Namespace", namespace) is None:
        return Check("namespace", "failed", f"namespace {namespace!r} does not exist")
    return Check("namespace", "passed", f"namespace {namespace!r} exists")


def _rbac(kube: Kube, namespace: str, needed: list[tuple[str, str, str]]) -> Check:
    denied = []
    for verb, group, res in needed:
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "spec": {"resourceAttributes": {"namespace": namespace, "verb": verb, "group": group,
                                                  "resource": res}}}
        answer = kube.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=review)
        if not (answer.get("status") or {}).get("allowed"):
            denied.append(f"{verb} {res}{'.' + group if group else ''}")
    if denied:
        return Check("rbac", "failed", f"not allowed in namespace {namespace!r}: {', '.join(denied)}")
    return Check("rbac", "passed", f"allowed: {len(needed)} verb/resource pairs")


def _capacity(kube: Kube, spec: Spec, env_name: str) -> Check:
    env = spec.environments[env_name]
    request = capacity.parse_amounts(pod_resources(env)["requests"])
    mine = base_labels(spec.project, env_name)
    rooms = [room for node in kube.list("Node") if (room := _room(node, env.node_selector, env.tolerations))]
    used: dict[str, capacity.Amounts] = {}
    for pod in kube.list("Pod"):
        labels = (pod.get("metadata") or {}).get("labels") or {}
        node = (pod.get("spec") or {}).get("nodeName")
        phase = (pod.get("status") or {}).get("phase")
        if not node or phase in ("Succeeded", "Failed") or all(labels.get(k) == v for k, v in mine.items()):
            continue  # pods of this release are replaced, so their room counts as free
        for r, v in _pod_requests(pod).items():
            used.setdefault(node, {})[r] = used.get(node, {}).get(r, 0.0) + v
    free = [capacity.NodeRoom(n.name, {r: n.free.get(r, 0.0) - used.get(n.name, {}).get(r, 0.0)
                                       for r in capacity.RESOURCES}) for n in rooms]
    fit = capacity.first_fit_decreasing([request] * env.replicas, free)
    return Check("capacity", "passed" if fit.fits else "failed", fit.message)


def _room(node: dict, selector: dict[str, str], tolerations: list) -> capacity.NodeRoom | None:
    meta, spec = node.get("metadata") or {}, node.get("spec") or {}
    labels = meta.get("labels") or {}
    if spec.get("unschedulable") or any(labels.get(k) != v for k, v in selector.items()):
        return None
    for taint in spec.get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not any(
            t.key in (None, taint.get("key")) and (t.operator == "Exists" or t.value == taint.get("value"))
            for t in tolerations
        ):
            return None
    alloc = (node.get("status") or {}).get("allocatable") or {}
    return capacity.NodeRoom(meta["name"], capacity.parse_amounts(alloc))


def _pod_requests(pod: dict) -> capacity.Amounts:
    total: capacity.Amounts = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        for r, v in capacity.parse_amounts(((c.get("resources") or {}).get("requests")) or {}).items():
            total[r] = total.get(r, 0.0) + v
    return total
