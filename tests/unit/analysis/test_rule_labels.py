"""Selector labels where the monitoring objects are rendered: kube-prometheus-stack's Prometheus loads
ServiceMonitors, PodMonitors and PrometheusRules labelled `release: <its Helm release>`; tritonship.yaml's
`monitoring.labels` (default release: kube-prometheus-stack) and `monitoring.rule_labels` say which.
`render --rules` prints the PrometheusRule, checked against the CRD's schema, and its groups pass promtool."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from tritonship.deploy.monitoring_assets import RULE_NAME, check_rule, prometheus_rule, shipped_rule

SPEC = """\
version: 1
project: app
model_repository: models
environments:
  prod:
    namespace: models-prod
{monitoring}"""


def write(tmp_path, monitoring: str = "") -> str:
    (tmp_path / "models").mkdir(exist_ok=True)
    path = tmp_path / "tritonship.yaml"
    path.write_text(SPEC.format(monitoring=monitoring))
    return str(path)


def rendered(run_cli, spec: str, *extra: str) -> dict[str, dict]:
    result = run_cli("render", "--env", "prod", "--spec", spec, *extra, "--json")
    assert result.exit_code == 0, result.stderr
    return {obj["kind"]: obj for obj in json.loads(result.stdout)["manifests"]}


def test_default_labels_match_kube_prometheus_stack_on_monitor_and_rule(run_cli, tmp_path):
    objects = rendered(run_cli, write(tmp_path, "    service_monitor: true\n"), "--rules")
    assert objects["ServiceMonitor"]["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    rule = objects["PrometheusRule"]
    assert rule["metadata"] == {"name": RULE_NAME, "namespace": "models-prod", "labels": {
        "app.kubernetes.io/managed-by": "tritonship", "app.kubernetes.io/component": "monitoring",
        "release": "kube-prometheus-stack"}}
    assert rule["spec"] == shipped_rule()["spec"]


def test_labels_name_your_prometheus_and_rule_labels_only_the_rule(run_cli, tmp_path):
    spec = write(tmp_path, "    monitoring:\n      kind: PodMonitor\n      labels: { release: monitoring }\n"
                           "      rule_labels: { role: alert-rules }\n")
    objects = rendered(run_cli, spec, "--rules")
    assert objects["PodMonitor"]["metadata"]["labels"]["release"] == "monitoring"
    labels = objects["PrometheusRule"]["metadata"]["labels"]
    assert labels["role"] == "alert-rules" and "release" not in labels


def test_empty_labels_for_a_prometheus_that_selects_everything(run_cli, tmp_path):
    objects = rendered(run_cli, write(tmp_path, "    monitoring: { labels: {} }\n"), "--rules")
    assert "release" not in objects["ServiceMonitor"]["metadata"]["labels"]
    assert "release" not in objects["PrometheusRule"]["metadata"]["labels"]


def test_without_rules_flag_no_prometheusrule(run_cli, tmp_path):
    assert "PrometheusRule" not in rendered(run_cli, write(tmp_path, "    service_monitor: true\n"))


def test_rule_labels_are_checked_as_kubernetes_labels_at_load(run_cli, tmp_path):
    result = run_cli("render", "--env", "prod", "--spec",
                     write(tmp_path, "    monitoring: { rule_labels: { release: '-bad-' } }\n"), "--rules")
    assert result.exit_code == 2 and "label value '-bad-'" in result.stderr


def test_the_rendered_rule_passes_the_crd_schema_and_promtool(tmp_path):
    import kubernetes_validate

    rule = prometheus_rule({"release": "monitoring"}, "models-prod")
    assert check_rule(rule) == []
    # the ObjectMeta the API server would check (the CRD leaves metadata to it): as a ConfigMap's, strictly
    kubernetes_validate.validate({"apiVersion": "v1", "kind": "ConfigMap", "metadata": rule["metadata"]},
                                 "1.30.0", strict=True)
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    done = subprocess.run(["promtool", "check", "rules", path.name], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda g: g[0].pop("name"), "spec.groups[0].name: required"),
    (lambda g: g.append(dict(g[0])), "spec.groups[2].name: 'tritonship-triton.rules' twice"),
    (lambda g: g[0].update(interval="30 seconds"), "spec.groups[0].interval: '30 seconds' is not a duration"),
    (lambda g: g[1]["rules"][0].update(record="x"), "spec.groups[1].rules[0]: exactly one of record and alert"),
    (lambda g: g[1]["rules"][0].pop("expr"), "spec.groups[1].rules[0].expr: required"),
    (lambda g: g[1]["rules"][0].update({"for": "5 min"}), "spec.groups[1].rules[0].for: '5 min' is not a duration"),
    (lambda g: g[1]["rules"][0].update(severity="page"), "spec.groups[1].rules[0].severity: unknown field"),
    (lambda g: g[1]["rules"][0]["labels"].update(priority=1), "spec.groups[1].rules[0].labels: a map of strings"),
])
def test_the_crd_check_refuses_what_the_api_server_and_operator_would(edit, problem):
    rule = prometheus_rule({})
    edit(rule["spec"]["groups"])
    assert any(p.startswith(problem) for p in check_rule(rule)), check_rule(rule)
