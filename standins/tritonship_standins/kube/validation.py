"""Object metadata validation as the API server does it (422 Invalid before anything is stored).

Mirrors k8s.io/apimachinery ValidateObjectMeta with each kind's name rule: Services need a DNS-1035
label (ValidateServiceName), Namespaces a DNS-1123 label, everything else here a DNS-1123
subdomain; and metav1validation.ValidateLabels for metadata.labels and, for Deployments, the pod
template's labels (keys: qualified names; values: at most 63 characters).
"""

from __future__ import annotations

from tritonship.spec import k8s_names
from tritonship_standins.kube.store import Kind, invalid


def _name_problem(kind: Kind, name: str) -> str | None:
    if kind.kind == "Service":
        return k8s_names.dns1035_problem(name)
    if kind.kind == "Namespace":
        ok = len(name) <= 63 and k8s_names.DNS1123_LABEL.fullmatch(name)
        return None if ok else f"{name!r} is not a DNS-1123 label"
    return k8s_names.subdomain_problem(name)


def validate_meta(kind: Kind, obj: dict) -> None:
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    problem = _name_problem(kind, name)
    if problem:
        raise invalid(kind, name, "metadata.name", problem)
    problem = k8s_names.labels_problem(meta.get("labels") or {})
    if problem:
        raise invalid(kind, name, "metadata.labels", problem)
    template = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
    problem = k8s_names.labels_problem(template.get("labels") or {})
    if problem:
        raise invalid(kind, name, "spec.template.metadata.labels", problem)
