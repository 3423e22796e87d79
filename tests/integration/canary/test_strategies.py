"""Canary and blue-green promotions on the Kubernetes simulator, analysed on real Triton metrics
scraped by a real Prometheus (tritonservers play the tracks: see conftest)."""

from __future__ import annotations

import pytest

from tritonship_standins.webhook import WebhookReceiver

from .conftest import APP, BLUE_GREEN, CANARY, NEW, STABLE, image_args

pytestmark = pytest.mark.integration


def first_release(promote_cli, strategy: str, url: str, namespace: str) -> None:
    promote_cli.write(strategy, url, namespace)
    result = promote_cli(*image_args(STABLE))
    assert result.exit_code == 0, result.stdout + result.stderr


def image(dep: dict) -> str:
    return dep["spec"]["template"]["spec"]["containers"][0]["image"]


def test_healthy_canary_is_promoted_with_the_judge_verdict_recorded(sim, prometheus_url, promote_cli):
    url, ns = prometheus_url, "canary-healthy"
    first_release(promote_cli, CANARY, url, ns)
    result = promote_cli(*image_args(NEW))
    doc = result.json()
    assert result.exit_code == 0, (doc["reason"], doc["analysis"])
    assert doc["status"] == "passed" and doc["strategy"] == "canary"
    stable = sim.get("Deployment", APP, ns)
    assert image(stable) == NEW and stable["spec"]["replicas"] == 4
    assert sim.get("Deployment", f"{APP}-canary", ns)["spec"]["replicas"] == 0
    assert sim.get("Deployment", f"{APP}-baseline", ns)["spec"]["replicas"] == 0
    weights = [e for e in doc["events"] if e.startswith("weight 25%")]
    assert weights == ["weight 25% requested: 1 canary, 1 baseline, 3 stable pods -> 20% of traffic to the canary"]
    first, second = doc["analysis"]
    assert first["track"] == "canary" and first["analysis"]["phase"] == "successful"
    assert first["judge"]["verdict"] == "pass" and first["judge"]["baseline"] == "baseline"
    latency = next(m for m in first["judge"]["metrics"] if m["name"] == "latency")
    assert latency["n_canary"] == 6 and latency["p_value"] is not None and len(latency["effect_ci"]) == 2
    assert [m["name"] for m in second["analysis"]["metrics"]] == ["success-rate"]
    back = promote_cli.verb("rollback")
    assert back.exit_code == 0, back.stdout + back.stderr
    assert image(sim.get("Deployment", APP, ns)) == STABLE


def test_failing_slow_canary_is_detected_rolled_back_and_notified(sim, prometheus_url, promote_cli):
    url, ns = prometheus_url, "canary-bad"
    first_release(promote_cli, CANARY, url, ns)
    with WebhookReceiver() as hook:
        promote_cli.write(CANARY, url, ns, webhook=hook.url)
        result = promote_cli(*image_args(NEW))
    assert [b["event"] for b in hook.bodies] == ["start", "rollback"]
    assert hook.bodies[1]["environment"] == "prod" and hook.bodies[1]["image"] == NEW
    assert "analysis of canary failed" in hook.bodies[1]["reason"] and hook.bodies[1]["text"]
    doc = result.json()
    assert "webhook: rollback delivered" in doc["events"]
    assert hook.url not in result.stdout
    assert result.exit_code == 1, doc
    assert doc["status"] == "failed" and doc["step"] == "2:analysis"
    assert "analysis of canary failed" in doc["reason"] and "rolled back to revision 1" in doc["reason"]
    metrics = {m["name"]: m for m in doc["analysis"][0]["analysis"]["metrics"]}
    assert metrics["success-rate"]["phase"] == "failed" and 0.5 < metrics["success-rate"]["values"][0] < 0.8
    stable = sim.get("Deployment", APP, ns)
    assert image(stable) == STABLE and stable["spec"]["replicas"] == 4
    assert sim.get("Deployment", f"{APP}-canary", ns)["spec"]["replicas"] == 0


INCONCLUSIVE = """\
      canary:
        progress_deadline: 3s
        steps:
          - set_weight: 50
          - analysis: {}
"""


def test_no_data_is_an_error_measurement_retried_then_rolled_back(sim, prometheus_url, promote_cli):
    """Argo Rollouts' semantics: an empty result is an error measurement, retried up to
    consecutive_error_limit (2 here), then the analysis errs and the canary is rolled back."""
    url, ns = prometheus_url, "no-canary"  # nothing scrapes a canary there: no data
    first_release(promote_cli, INCONCLUSIVE, url, ns)
    result = promote_cli(*image_args(NEW))
    doc = result.json()
    assert result.exit_code == 1, doc
    assert doc["status"] == "failed" and "no values found" in doc["reason"]
    metric = doc["analysis"][0]["analysis"]["metrics"][0]
    assert metric["errors"] == 3 and metric["phase"] == "error"
    stable = sim.get("Deployment", APP, ns)
    assert image(stable) == STABLE and stable["spec"]["replicas"] == 4
    assert sim.get("Deployment", f"{APP}-canary", ns)["spec"]["replicas"] == 0


def test_unreachable_prometheus_hits_the_consecutive_error_limit_and_aborts(sim, promote_cli):
    ns = "no-canary"
    first_release(promote_cli, INCONCLUSIVE, "http://127.0.0.1:9", ns)
    result = promote_cli(*image_args(NEW))
    doc = result.json()
    assert result.exit_code == 1, doc
    assert "error" in doc["reason"] and "cannot reach Prometheus" in doc["reason"]
    metric = doc["analysis"][0]["analysis"]["metrics"][0]
    assert metric["errors"] == 3 and metric["phase"] == "error"  # consecutive_error_limit 2 -> the third ends it
    assert image(sim.get("Deployment", APP, ns)) == STABLE


def test_blue_green_post_promotion_failure_switches_back_while_the_old_colour_is_warm(sim, prometheus_url,
                                                                                      promote_cli):
    url, ns = prometheus_url, "bg-bad"
    strategy = BLUE_GREEN.format(pre="false", manual="false", delay="60s", smoke="false", preview="null")
    first_release(promote_cli, strategy, url, ns)
    blue = sim.get("Deployment", f"{APP}-blue", ns)
    assert blue["spec"]["replicas"] == 4
    assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "blue"
    result = promote_cli(*image_args(NEW))
    doc = result.json()
    assert result.exit_code == 1, doc
    assert doc["step"] == "post-promotion-analysis"
    assert any("still warm" in e for e in doc["events"])
    assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "blue"
    after = sim.get("Deployment", f"{APP}-blue", ns)
    assert after["metadata"]["generation"] == blue["metadata"]["generation"]  # never scaled down: instant
    assert after["spec"]["replicas"] == 4 and image(after) == STABLE
    assert sim.get("Deployment", f"{APP}-green", ns)["spec"]["replicas"] == 0


def test_blue_green_manual_pause_switch_scale_down_then_rollback(sim, prometheus_url, promote_cli):
    url, ns = prometheus_url, "bg-good"
    strategy = BLUE_GREEN.format(pre="true", manual="true", delay="1s", smoke="false", preview="null")
    first_release(promote_cli, strategy, url, ns)
    paused = promote_cli(*image_args(NEW))
    doc = paused.json()
    assert paused.exit_code == 0 and doc["status"] == "paused" and doc["step"] == "manual-pause", doc
    assert doc["analysis"] and doc["analysis"][0]["step"] == "pre-promotion-analysis", doc["events"]
    assert sim.get("Service", f"{APP}-preview", ns)["spec"]["selector"]["tritonship.io/track"] == "green"
    assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "blue"
    resumed = promote_cli("--resume")
    assert resumed.exit_code == 0 and resumed.json()["status"] == "passed", resumed.stdout
    assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "green"
    assert sim.get("Deployment", f"{APP}-blue", ns)["spec"]["replicas"] == 0
    assert image(sim.get("Deployment", f"{APP}-green", ns)) == NEW

    back = promote_cli.verb("rollback")  # fast, no analysis: blue's recorded spec re-applied, selector moved
    assert back.exit_code == 0, back.stdout + back.stderr
    assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "blue"
    assert sim.get("Deployment", f"{APP}-blue", ns)["spec"]["replicas"] == 4
    assert image(sim.get("Deployment", f"{APP}-blue", ns)) == STABLE
    assert sim.get("Deployment", f"{APP}-green", ns)["spec"]["replicas"] == 0
