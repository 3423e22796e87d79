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


def write(promote_cli, tmp_path, strategy: str, prometheus_url: str, ns: str, models: str = "[]") -> None:
    """The spec, smoking over HTTP only (the test servers' gRPC port is not the HTTP port + 1, as a
    Service's 8000/8001 are), the models listed (a missing one fails the smoke)."""
    promote_cli.write(strategy, prometheus_url, ns)
    spec = tmp_path / "tritonship.yaml"
    spec.write_text(spec.read_text().replace(
        "model_repository: models\n", f"model_repository: models\nsmoke: {{ protocol: http, models: {models} }}\n"))


@pytest.mark.parametrize(("models", "passes"), [("[]", True), ("[add_sub, no_such_model]", False)])
def test_preview_smoke_gates_the_switch(sim, prometheus_url, promote_cli, tritons, tmp_path, models, passes):
    ns = "bg-good"
    url = tritons["healthy_b"].http_url
    strategy = BLUE_GREEN.format(pre="false", manual="false", delay="1s", smoke="true", preview=url)
    write(promote_cli, tmp_path, strategy, prometheus_url, ns)
    first = promote_cli(*image_args(STABLE))
    assert first.exit_code == 0, first.json()["reason"]
    write(promote_cli, tmp_path, strategy, prometheus_url, ns, models)
    result = promote_cli(*image_args(NEW))
    doc = result.json()
    smoke = doc["release"]["state"].get("preview_smoke") or {}
    if passes:
        assert result.exit_code == 0, doc
        assert smoke["passed"] and smoke["url"] == url
        assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "green"
    else:
        assert result.exit_code == 1, doc
        assert doc["step"] == "pre-promotion-smoke" and "smoke of the preview failed" in doc["reason"]
        assert "no_such_model" in doc["reason"]
        assert sim.get("Service", APP, ns)["spec"]["selector"]["tritonship.io/track"] == "blue"
        assert sim.get("Deployment", f"{APP}-green", ns)["spec"]["replicas"] == 0
