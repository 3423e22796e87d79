"""Blue-green's default pre-promotion check: `tritonship smoke` against the preview Service (here a
real tritonserver playing it), not metric analysis of a Service nobody sends traffic to."""

from __future__ import annotations

import pytest

from tritonship.deploy.preview_smoke import pre_promotion_checks
from tritonship.spec.environment import BlueGreenStrategy

from .conftest import APP, BLUE_GREEN, NEW, STABLE, image_args

pytestmark = pytest.mark.integration


def test_the_decision_smokes_by_default_and_analyses_only_mirrored_traffic():
    assert pre_promotion_checks(BlueGreenStrategy(), analysed=True) == ("smoke",)
    assert pre_promotion_checks(BlueGreenStrategy(mirrored_traffic=True), analysed=True) == ("smoke", "analysis")
    assert pre_promotion_checks(BlueGreenStrategy(mirrored_traffic=True), analysed=False) == ("smoke",)
    assert pre_promotion_checks(BlueGreenStrategy(pre_promotion_smoke=False), analysed=True) == ()


@pytest.mark.parametrize(("server", "passes"), [("healthy_b", True), ("bad", False)])
def test_preview_smoke_gates_the_switch(sim, prometheus_url, promote_cli, tritons, server, passes):
    ns = "bg-good"
    strategy = BLUE_GREEN.format(pre="false", manual="false", delay="1s", smoke="true",
                                 preview=tritons["healthy_a"].http_url)
    promote_cli.write(strategy, prometheus_url, ns)
    assert promote_cli(*image_args(STABLE)).exit_code == 0
    promote_cli.write(strategy.replace(tritons["healthy_a"].http_url, tritons[server].http_url), prometheus_url, ns)
    result = promote_cli(*image_args(NEW))
    doc = result.json()
    smoke = doc["release"]["state"].get("preview_smoke") or {}
    if passes:
        assert result.exit_code == 0, doc
        assert smoke["passed"] and smoke["url"] == tritons[server].http_url
        assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "green"
    else:
        assert result.exit_code == 1, doc
        assert doc["step"] == "pre-promotion-smoke" and "smoke of the preview failed" in doc["reason"]
        assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "blue"
        assert sim.get("Deployment", f"{APP}-green", ns)["spec"]["replicas"] == 0
