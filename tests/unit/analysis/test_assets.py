"""Monitoring assets: the PrometheusRule's groups pass `promtool check rules` and its alerts fire on a
failing canary only (`promtool test rules`); every Grafana dashboard query is valid PromQL grouped by track."""

from __future__ import annotations

import json
import subprocess
from importlib.resources import files

import pytest
import yaml

ASSETS = files("tritonship.deploy") / "assets"


def promtool(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def rules_file(tmp_path):
    rule = yaml.safe_load((ASSETS / "prometheusrule.yaml").read_text())
    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    return path


def test_prometheusrule_groups_pass_promtool(rules_file):
    result = promtool("check", "rules", str(rules_file), cwd=rules_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def series(track: str, failures_per_min: int) -> list[dict]:
    labels = f'namespace="p",app="a",track="{track}",model="m"'
    return [
        {"series": f"nv_inference_request_success{{{labels}}}", "values": "0+60x30"},
        {"series": f'nv_inference_request_failure{{{labels},reason="BACKEND"}}', "values": f"0+{failures_per_min}x30"},
    ]


def test_alerts_fire_for_the_failing_canary_only(rules_file):
    labels = {"namespace": "p", "app": "a", "model": "m"}
    test = {
        "rule_files": [rules_file.name],
        "evaluation_interval": "30s",
        "tests": [{
            "interval": "1m",
            "input_series": series("canary", 6) + series("stable", 0),
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "TritonModelErrors", "exp_alerts": [{
                    "exp_labels": {**labels, "severity": "critical", "track": "canary"},
                    "exp_annotations": {
                        "summary": "Triton model m fails requests (canary)",
                        "description": "a in p (canary): only 90.91% of requests to m succeeded over 5 minutes.",
                        "runbook_url": "https://github.com/tritonship/tritonship#alert-tritonmodelerrors",
                    },
                }]},
                {"eval_time": "20m", "alertname": "TritonModelAllRequestsFailing", "exp_alerts": []},
                {"eval_time": "2m", "alertname": "TritonModelErrors", "exp_alerts": []},  # `for: 5m` not yet met
            ],
        }],
    }
    path = rules_file.parent / "test.yml"
    path.write_text(yaml.safe_dump(test))
    result = promtool("test", "rules", path.name, cwd=rules_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_target_down_fires_for_an_unscraped_triton_pod_only(rules_file):
    up = 'up{namespace="p",app="a",track="canary",instance="10.0.0.7:8002",job="p/a"}'
    other = 'up{namespace="p",job="node-exporter",instance="n1"}'  # not a Triton pod: no app/track labels
    test = {"rule_files": [rules_file.name], "evaluation_interval": "30s", "tests": [{
        "interval": "1m",
        "input_series": [{"series": up, "values": "1x5 0x10"}, {"series": other, "values": "0x15"}],
        "alert_rule_test": [
            {"eval_time": "4m", "alertname": "TritonTargetDown", "exp_alerts": []},
            {"eval_time": "14m", "alertname": "TritonTargetDown", "exp_alerts": [{
                "exp_labels": {"namespace": "p", "app": "a", "track": "canary", "instance": "10.0.0.7:8002",
                               "job": "p/a", "severity": "critical"},
                "exp_annotations": {
                    "summary": "Prometheus cannot scrape a Triton pod of a (canary)",
                    "description": "10.0.0.7:8002 in p has not answered /metrics for 5 minutes: the pod is down, "
                                   "not ready, or its metrics port is not reachable.",
                    "runbook_url": "https://github.com/tritonship/tritonship#alert-tritontargetdown"}}]},
        ]}]}
    (rules_file.parent / "down.yml").write_text(yaml.safe_dump(test))
    result = promtool("test", "rules", "down.yml", cwd=rules_file.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_runbook_in_the_readme_and_kube_prometheus_selector_labels():
    from tests.conftest import ROOT

    rule = yaml.safe_load((ASSETS / "prometheusrule.yaml").read_text())
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    readme = (ROOT / "README.md").read_text()
    alerts = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    for alert in alerts:
        anchor = alert["annotations"]["runbook_url"].split("#", 1)[1]
        assert anchor == f"alert-{alert['alert'].lower()}" and f"#### Alert: {alert['alert']}\n" in readme


def dashboard_queries() -> list[str]:
    board = json.loads((ASSETS / "grafana-dashboard.json").read_text())
    return [t["expr"] for p in board["panels"] for t in p["targets"]]


def test_dashboard_shows_latency_throughput_and_errors_per_track():
    board = json.loads((ASSETS / "grafana-dashboard.json").read_text())
    titles = " ".join(p["title"].lower() for p in board["panels"])
    for word in ("latency", "throughput", "errors"):
        assert word in titles
    assert all("by (track" in q for q in dashboard_queries())
    assert {v["name"] for v in board["templating"]["list"]} >= {"datasource", "namespace", "app", "model"}


def test_dashboard_plots_inferences_and_requests_batch_size_and_summary_percentiles():
    """Metric names as a real tritonserver exports them (checked with --metrics-config summary_latencies=true):
    nv_inference_count (inferences), nv_inference_exec_count, nv_inference_request_summary_us{quantile}."""
    queries = " ".join(dashboard_queries())
    assert "rate(nv_inference_count{" in queries and "rate(nv_inference_request_success{" in queries
    assert "nv_inference_exec_count" in queries
    assert 'nv_inference_request_summary_us{' in queries and 'quantile="0.99"' in queries
    board = json.loads((ASSETS / "grafana-dashboard.json").read_text())
    assert len({p["id"] for p in board["panels"]}) == len(board["panels"])


def test_dashboard_queries_are_valid_promql(tmp_path):
    concrete = [q.replace("$__rate_interval", "1m").replace("$namespace", "p").replace("$app", "a")
                .replace("$model", ".*") for q in dashboard_queries()]
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query{i}", "expr": q} for i, q in enumerate(concrete)]}]}
    path = tmp_path / "dashboard.yml"
    path.write_text(yaml.safe_dump(rules))
    result = promtool("check", "rules", path.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_raw_and_configmap_forms_match_their_sources(tmp_path):
    from tests.unit.analysis.monitoring_forms import DASHBOARD_CM, RAW_RULES, dashboard_configmap, raw_rules

    assert (ASSETS / RAW_RULES).read_text() == raw_rules()  # regenerate: python -m tests.unit.analysis.monitoring_forms
    assert (ASSETS / DASHBOARD_CM).read_text() == dashboard_configmap()
    cm = yaml.safe_load((ASSETS / DASHBOARD_CM).read_text())
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(cm["data"]["tritonship-triton.json"])["title"]
    path = tmp_path / RAW_RULES
    path.write_text((ASSETS / RAW_RULES).read_text())
    result = promtool("check", "rules", path.name, cwd=tmp_path)  # the shipped raw file itself, as a user runs it
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_annotates_promotions_and_deployment_changes():
    """Promotions from tritonship's own annotations (deploy/grafana_annotations.py: organization annotations
    tagged tritonship, app, env, event), found by a Grafana-datasource query on tags, AND-matched; and
    every Deployment change from kube-state-metrics."""
    board = json.loads((ASSETS / "grafana-dashboard.json").read_text())
    promotions, changes = board["annotations"]["list"]
    assert promotions["datasource"] == {"type": "datasource", "uid": "grafana"} and promotions["enable"]
    assert promotions["target"] == {"type": "tags", "tags": ["tritonship", "$app"], "matchAny": False, "limit": 100}
    assert "$app" in {v["name"] and f"${v['name']}" for v in board["templating"]["list"]}
    assert "kube_deployment_metadata_generation" in changes["expr"] and changes["enable"]
