"""The derived forms of the monitoring assets, from the two sources (prometheusrule.yaml and
grafana-dashboard.json): the raw rule file Prometheus or `promtool` loads, and the ConfigMap that
kube-prometheus-stack's Grafana sidecar loads (label `grafana_dashboard: "1"`).
Regenerate after editing a source: `python -m tests.unit.analysis.monitoring_forms`."""

from __future__ import annotations

from importlib.resources import files

import yaml

ASSETS = files("tritonship.deploy") / "assets"
RAW_RULES, DASHBOARD_CM = "prometheus-rules.yml", "grafana-dashboard-configmap.yaml"


def raw_rules() -> str:
    rule = yaml.safe_load((ASSETS / "prometheusrule.yaml").read_text())
    return ("# The groups of prometheusrule.yaml for a plain Prometheus (rule_files:) and `promtool check rules`.\n"
            "# Generated from prometheusrule.yaml; do not edit by hand.\n"
            + yaml.safe_dump({"groups": rule["spec"]["groups"]}, sort_keys=False, width=120))


def dashboard_configmap() -> str:
    obj = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "tritonship-triton-dashboard",
                        "labels": {"grafana_dashboard": "1", "app.kubernetes.io/managed-by": "tritonship"}},
           "data": {"tritonship-triton.json": (ASSETS / "grafana-dashboard.json").read_text()}}
    return ("# grafana-dashboard.json for kube-prometheus-stack's Grafana sidecar (it loads ConfigMaps labelled\n"
            "# grafana_dashboard: \"1\"). Generated from grafana-dashboard.json; do not edit by hand.\n"
            + yaml.safe_dump(obj, sort_keys=False, width=120))


if __name__ == "__main__":
    from pathlib import Path

    import tritonship.deploy

    target = Path(tritonship.deploy.__file__).parent / "assets"
    (target / RAW_RULES).write_text(raw_rules())
    (target / DASHBOARD_CM).write_text(dashboard_configmap())
