"""The shipped Role (resources/rbac/tritonship-promote.yaml) grants every permission the rbac preflight
asks for, including the optional kinds (HorizontalPodAutoscaler, ServiceMonitor, PodMonitor)."""

from __future__ import annotations

import yaml
from tests.conftest import ROOT

from tritonship.deploy.preflight import APPLY, NEEDED

ASSET = ROOT / "resources" / "rbac" / "tritonship-promote.yaml"
OPTIONAL = [(verb, group, res) for verb in APPLY for group, res in (
    ("autoscaling", "horizontalpodautoscalers"), ("monitoring.coreos.com", "servicemonitors"),
    ("monitoring.coreos.com", "podmonitors"))]


def _granted(kind: str) -> set[tuple[str, str, str]]:
    docs = [d for d in yaml.safe_load_all(ASSET.read_text()) if d and d["kind"] == kind]
    return {(verb, group, res) for d in docs for rule in d["rules"] for group in rule["apiGroups"]
            for res in rule["resources"] for verb in rule["verbs"]}


def test_the_role_grants_what_the_preflight_checks():
    missing = [p for p in [*NEEDED, *OPTIONAL] if p not in _granted("Role")]
    assert missing == []


def test_the_role_covers_the_reads_and_deletes_promote_makes():
    granted = _granted("Role")
    assert {("list", "", "pods"), ("get", "", "pods/log"), ("delete", "apps", "deployments"),
            ("update", "", "configmaps")} <= granted


def test_the_optional_cluster_role_reads_capacity_and_namespaces():
    assert {("list", "", "nodes"), ("list", "", "pods"), ("get", "", "namespaces")} <= _granted("ClusterRole")
