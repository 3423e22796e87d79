"""API discovery before any change: every kind the release will apply must be served by the cluster.

Reads the discovery documents (`GET /api/v1`, `GET /apis/GROUP/VERSION` -> APIResourceList), as
client-go's discovery client and `kubectl api-resources` do; a group/version the cluster does not
serve answers 404. A missing kind fails preflight naming the kind, its group/version, the CRD to
install and the tritonship.yaml key that asks for it, before anything is applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tritonship.deploy.kube import Kube
    from tritonship.deploy.preflight import Check
    from tritonship.spec.model import Spec

# kind -> the environment's key in tritonship.yaml that renders it (only optional objects have one)
SPEC_KEY = {
    "ServiceMonitor": "service_monitor",
    "HorizontalPodAutoscaler": "autoscaling",
    "PodDisruptionBudget": "pdb_min_available (rendered when replicas > 1)",
}


def discovery_path(group_version: str) -> str:
    return "/api/v1" if group_version == "v1" else f"/apis/{group_version}"


def crd_name(kind: str, plural: str, group_version: str) -> str | None:
    """The CustomResourceDefinition that would serve a kind outside Kubernetes' own groups. Pure."""
    group = group_version.split("/", 1)[0] if "/" in group_version else ""
    builtin = group == "" or "." not in group or group.endswith(".k8s.io")
    return None if builtin else f"{plural}.{group}"


def missing_kinds(wanted: dict[str, set[str]], served: dict[str, set[str] | None]) -> list[tuple[str, str]]:
    """(kind, group/version) pairs of `wanted` that `served` lacks (None: the group/version is absent). Pure."""
    return sorted((kind, gv) for gv, kinds in wanted.items() for kind in kinds if kind not in (served.get(gv) or set()))


def served_kinds(kube: Kube, group_version: str) -> set[str] | None:
    from tritonship.deploy.kube import NotFound

    try:
        doc = kube.request("GET", discovery_path(group_version))
    except NotFound:
        return None
    return {r.get("kind") for r in doc.get("resources") or [] if "/" not in r.get("name", "")}


def check_api(kube: Kube, spec: Spec, env_name: str, image: str) -> Check:
    """The preflight check `api`: are all the kinds this release renders served?"""
    from tritonship.deploy.manifests import render_release
    from tritonship.deploy.preflight import Check

    wanted: dict[str, set[str]] = {}
    plural: dict[str, str] = {}
    for obj in render_release(spec, env_name, image, 0):
        wanted.setdefault(obj["apiVersion"], set()).add(obj["kind"])
        plural[obj["kind"]] = _plural(obj["kind"])
    served = {gv: served_kinds(kube, gv) for gv in wanted}
    missing = missing_kinds(wanted, served)
    if not missing:
        kinds = sorted(k for ks in wanted.values() for k in ks)
        return Check("api", "passed", f"served: {', '.join(kinds)}")
    return Check("api", "failed", "; ".join(_explain(kind, gv, plural[kind], env_name) for kind, gv in missing))


def _explain(kind: str, gv: str, plural: str, env_name: str) -> str:
    text = f"the cluster does not serve {kind} ({gv})"
    crd = crd_name(kind, plural, gv)
    if crd:
        text += f": install the CRD {crd}"
    key = SPEC_KEY.get(kind)
    if key:
        text += f", or remove `{key}` from environment {env_name!r} in tritonship.yaml"
    return text


def _plural(kind: str) -> str:
    from tritonship.deploy.kube import RESOURCES

    res = RESOURCES.get(kind)
    return res.plural if res else kind.lower() + "s"
