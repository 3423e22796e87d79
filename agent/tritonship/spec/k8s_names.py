"""Kubernetes' limits on names and labels, checked when the spec is loaded (not when the API server
refuses the first object halfway through a promotion).

Mirrors k8s.io/apimachinery/pkg/util/validation: IsDNS1035Label (Service names: a lower-case letter
first, then letters, digits, '-', at most 63), IsDNS1123Label (namespaces), IsDNS1123Subdomain
(most object names, at most 253), IsValidLabelValue (at most 63; alphanumerics, '-', '_', '.',
alphanumeric at both ends; empty allowed) and IsQualifiedName (label keys: optional DNS-subdomain
prefix and '/', then a name of at most 63).
"""

from __future__ import annotations

import re

DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")


def dns1035_problem(value: str) -> str | None:
    if len(value) > 63:
        return f"{value!r} is {len(value)} characters; a Service name has at most 63"
    if not DNS1035.fullmatch(value):
        return f"{value!r} is not a DNS-1035 label (a lower-case letter first, then lower-case letters, digits, '-')"
    return None


def subdomain_problem(value: str) -> str | None:
    if len(value) > 253 or not DNS1123_SUBDOMAIN.fullmatch(value):
        return f"{value!r} is not a DNS-1123 subdomain (lower-case letters, digits, '-', '.'; at most 253)"
    return None


def label_value_problem(value: str) -> str | None:
    if len(value) > 63:
        return f"label value {value!r} is {len(value)} characters; at most 63"
    if not LABEL_VALUE.fullmatch(value):
        return f"label value {value!r} must be alphanumerics, '-', '_' or '.', alphanumeric at both ends"
    return None


def label_key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and subdomain_problem(prefix):
        return f"label key {key!r}: the prefix is not a DNS subdomain"
    if len(name) > 63 or not QUALIFIED_NAME.fullmatch(name):
        return f"label key {key!r}: the name must be at most 63 alphanumerics, '-', '_' or '.'"
    return None


def labels_problem(labels: dict[str, str]) -> str | None:
    for key, value in labels.items():
        problem = label_key_problem(key) or label_value_problem(value)
        if problem:
            return problem
    return None
