"""The PrometheusRule of the shipped monitoring assets (assets/prometheusrule.yaml), labelled for the
Prometheus that should load it: `tritonship render --env E --rules`.

prometheus-operator loads a PrometheusRule only when its labels match the Prometheus' `ruleSelector`
(and its namespace the `ruleNamespaceSelector`); kube-prometheus-stack's default is
`ruleSelector: {matchLabels: {release: <Helm release name>}}` (ruleSelectorNilUsesHelmValues: true), the
same rule as for ServiceMonitors and PodMonitors. The labels come from the environment's
`monitoring.rule_labels`, else `monitoring.labels` (default `release: kube-prometheus-stack`).
`check_rule` mirrors the CRD's openAPIV3Schema (monitoring.coreos.com_prometheusrules.yaml: groups need a
name, rules an expr, durations the operator's pattern) plus the operator's own admission rule that a rule
is exactly one of `record` and `alert`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from tritonship.errors import BadInput

if TYPE_CHECKING:
    from tritonship.spec.environment import Environment

RULE_NAME = "tritonship-triton"
OWN_LABELS = {"app.kubernetes.io/managed-by": "tritonship", "app.kubernetes.io/component": "monitoring"}
_DURATION = re.compile(r"0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?")
_RULE_KEYS = {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"}


def shipped_rule() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((files("tritonship.deploy") / "assets" / "prometheusrule.yaml").read_text())


def rule_labels(env: Environment) -> dict[str, str]:
    """monitoring.rule_labels, else monitoring.labels (the defaults when `monitoring` is absent)."""
    from tritonship.spec.environment import Monitoring

    monitoring = env.monitoring or Monitoring()
    return dict(monitoring.labels if monitoring.rule_labels is None else monitoring.rule_labels)


def prometheus_rule(selector_labels: Mapping[str, str], namespace: str | None = None) -> dict[str, Any]:
    """The shipped PrometheusRule with `selector_labels` (replacing its `release` label) and `namespace`."""
    rule = shipped_rule()
    metadata: dict[str, Any] = {"name": RULE_NAME}
    if namespace:
        metadata["namespace"] = namespace
    metadata["labels"] = {**OWN_LABELS, **selector_labels}
    return {"apiVersion": rule["apiVersion"], "kind": rule["kind"], "metadata": metadata, "spec": rule["spec"]}


def check_rule(obj: Mapping[str, Any]) -> list[str]:
    """What the PrometheusRule CRD (and the operator) would refuse in `obj`; empty when it is valid."""
    groups = (obj.get("spec") or {}).get("groups")
    if not isinstance(groups, list):
        return ["spec.groups: must be a list"]
    problems: list[str] = []
    names = [g.get("name") if isinstance(g, dict) else None for g in groups]
    for i, group in enumerate(groups):
        where = f"spec.groups[{i}]"
        if not isinstance(group, dict) or not isinstance(group.get("name"), str) or not group["name"]:
            problems.append(f"{where}.name: required")
            continue
        if names.index(group["name"]) != i:
            problems.append(f"{where}.name: {group['name']!r} twice (a list-map keyed by name)")
        if "interval" in group and not _duration(group["interval"]):
            problems.append(f"{where}.interval: {group['interval']!r} is not a duration")
        for j, rule in enumerate(group.get("rules") or []):
            problems += [f"{where}.rules[{j}]{p}" for p in _rule_problems(rule)]
    return problems


def _rule_problems(rule: Any) -> list[str]:
    if not isinstance(rule, dict):
        return [": must be an object"]
    problems = [f".{key}: unknown field" for key in rule if key not in _RULE_KEYS]
    if not isinstance(rule.get("expr"), (str, int)):
        problems.append(".expr: required (string)")
    if ("record" in rule) == ("alert" in rule):
        problems.append(": exactly one of record and alert")
    for key in ("for", "keep_firing_for"):
        if key in rule and not _duration(rule[key]):
            problems.append(f".{key}: {rule[key]!r} is not a duration")
    for key in ("labels", "annotations"):
        if key in rule and not (isinstance(rule[key], dict) and all(isinstance(v, str) for v in rule[key].values())):
            problems.append(f".{key}: a map of strings")
    return problems


def _duration(value: Any) -> bool:
    return isinstance(value, str) and bool(_DURATION.fullmatch(value))


def render_rule(env: Environment) -> dict[str, Any]:
    """`render --rules`: the PrometheusRule for the environment's namespace and Prometheus, checked."""
    obj = prometheus_rule(rule_labels(env), env.namespace)
    problems = check_rule(obj)
    if problems:
        raise BadInput("the PrometheusRule is not valid:\n  " + "\n  ".join(problems))
    return obj
