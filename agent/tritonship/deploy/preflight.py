"""Before a promotion touches anything: namespace, permissions, image, capacity.

Each check returns a `Check`; a failed check fails the gate (exit 1) with its detail. Checks named
in `skip` (image, capacity, rbac) are reported as skipped and recorded in the release history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.workload import Workload
    from tritonship.spec.environment import Environment
    from tritonship.spec.model import Spec

SKIPPABLE = ("image", "capacity", "rbac", "origin")  # origin: the `from:` gate, checked by the engine

# (verb, group, resource) every promotion needs in the namespace. Objects are written with server-side
# apply, which is a PATCH, and an apply that creates the object is also authorised as `create`
# (apiserver endpoints/handlers/patch.go: createAuthorizerAttributes), so applied kinds need get,
# create and patch. Cluster-scoped reads (Nodes, Pods of every namespace) are not here: capacity is
# checked when they are allowed and reported unknown when they are not.
APPLY = ("get", "create", "patch")
NEEDED = [
    *((verb, "apps", "deployments") for verb in APPLY),
    *((verb, "", "services") for verb in APPLY),
    ("get", "", "configmaps"), ("create", "", "configmaps"), ("update", "", "configmaps"),
    ("get", "coordination.k8s.io", "leases"), ("create", "coordination.k8s.io", "leases"),
    ("update", "coordination.k8s.io", "leases"),  # released by an update, as client-go does: no delete
    *((verb, "policy", "poddisruptionbudgets") for verb in APPLY),
]


def needed_permissions(env: Environment) -> list[tuple[str, str, str]]:
    """What this environment's promotion will ask the API server for: the common set, plus the
    optional objects it renders (HorizontalPodAutoscaler, ServiceMonitor or PodMonitor)."""
    from tritonship.deploy.manifests import monitor_kind

    needed = list(NEEDED)
    if env.autoscaling:
        needed += [(verb, "autoscaling", "horizontalpodautoscalers") for verb in APPLY]
    kind = monitor_kind(env)
    if kind:
        needed += [(verb, "monitoring.coreos.com", f"{kind.lower()}s") for verb in APPLY]
    return needed


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # passed | failed | skipped | warning (does not fail the gate)
    detail: str


@dataclass(frozen=True)
class PreflightReport:
    checks: tuple[Check, ...]
    delivery: str | None = None  # modelcar: the model delivery the `delivery` check chose (deploy/delivery.py)
    model_bytes: int | None = None  # modelcar: the model image's layer bytes, when the registry told

    @property
    def passed(self) -> bool:
        return all(c.status != "failed" for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == "failed"]


def run_preflight(kube: Kube, spec: Spec, env_name: str, image: str, *, skip: tuple[str, ...] = (),
                  image_exists: Callable[[str], tuple[bool, str]] | None = None, work: Workload | None = None,
                  image_bytes: Callable[[str], int | None] | None = None) -> PreflightReport:
    """`work`: what the release runs (deploy/workload.py); a modelcar release checks both images and
    chooses its model delivery (check `delivery`)."""
    env = spec.environments[env_name]
    checks = [_namespace(kube, env.namespace)]
    if checks[0].status == "failed":
        return PreflightReport(tuple(checks))
    from tritonship.deploy.discovery import check_api  # every kind the release applies is served

    checks.append(check_api(kube, spec, env_name, image))
    checks.append(_skipped("rbac") if "rbac" in skip else _rbac(kube, env.namespace, needed_permissions(env)))
    images = work.images if work is not None else (image,)
    if "image" in skip or image_exists is None:
        checks.append(_skipped("image", "" if "image" in skip else "no registry client"))
    else:
        checks.append(_images(images, image_exists))
    delivery = None
    if work is not None and work.layout == "modelcar":
        from tritonship.deploy.delivery import decide, probe

        decision = decide(spec.image.model_delivery, probe(kube, spec, env_name, work))
        checks.append(Check("delivery", decision.status, decision.detail))
        delivery = decision.delivery
    checks.append(_skipped("capacity") if "capacity" in skip else _capacity(kube, spec, env_name))
    size = None
    if work is not None and work.model_image and image_bytes is not None and _passed(checks, "image"):
        size = image_bytes(work.model_image)
    return PreflightReport(tuple(checks), delivery=delivery, model_bytes=size)


def _passed(checks: list[Check], name: str) -> bool:
    return any(c.name == name and c.status == "passed" for c in checks)


def _images(images: tuple[str, ...], image_exists: Callable[[str], tuple[bool, str]]) -> Check:
    """Every image of the release is in its registry (manifests fetched and verified)."""
    answers = [image_exists(i) for i in images]
    failed = [detail for ok, detail in answers if not ok]
    details = failed or [detail for _ok, detail in answers]
    return Check("image", "failed" if failed else "passed", "; ".join(details))


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
    """Will the release's peak footprint fit? Reads Nodes and Pods of every namespace, which a
    namespace-scoped service account may not: then capacity is `unknown (forbidden: …)`, a warning."""
    from tritonship.deploy.capacity_view import cluster_view, fit_check
    from tritonship.deploy.kube import ApiError

    try:
        view = cluster_view(kube, spec, env_name)
    except ApiError as exc:
        if exc.status != 403:
            raise
        return Check("capacity", "warning", f"unknown (forbidden: {exc.detail})")
    status, detail = fit_check(view)
    return Check("capacity", status, detail)
