"""Object metadata validation as the API server does it (422 Invalid before anything is stored).

Mirrors k8s.io/apimachinery ValidateObjectMeta with each kind's name rule: Services need a DNS-1035
label (ValidateServiceName), Namespaces a DNS-1123 label, everything else here a DNS-1123
subdomain; and metav1validation.ValidateLabels for metadata.labels and, for Deployments, the pod
template's labels (keys: qualified names; values: at most 63 characters).
"""

from __future__ import annotations

import base64
import binascii
import re

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


_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+")


def validate_data(kind: Kind, obj: dict) -> None:
    """ConfigMap and Secret `data` keys as core/validation ValidateConfigMap/ValidateSecret check them
    (IsConfigMapKey: at most 253 of [-._a-zA-Z0-9]); a Secret's values must be base64, which the API
    server's decoding of a []byte field requires (a 400 there; 422 here, named by key)."""
    name = obj["metadata"].get("name", "")
    data = obj.get("data") or {}
    if not isinstance(data, dict):
        raise invalid(kind, name, "data", "must be a map of strings")
    for key, value in data.items():
        if len(key) > 253 or not _DATA_KEY.fullmatch(key):
            raise invalid(kind, name, f"data[{key}]", "a valid config key must consist of alphanumeric characters, "
                          "'-', '_' or '.'")
        if kind.kind == "Secret":
            try:
                base64.b64decode(str(value), validate=True)
            except (binascii.Error, ValueError):
                raise invalid(kind, name, f"data[{key}]", "illegal base64 data") from None
