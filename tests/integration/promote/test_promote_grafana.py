"""Promotions and rollbacks become Grafana annotations (on the Kubernetes simulator, with the Grafana
stand-in), and a Grafana that refuses or fails never fails the promotion."""

from __future__ import annotations

import json

import pytest
from tests.integration.promote.conftest import BAD, GOOD, GOOD2, promote_args

from tritonship_standins.grafana import GrafanaStandIn

pytestmark = pytest.mark.integration
TOKEN = "glsa_promote-T0KEN"


def run(run_cli, project, grafana_url: str, *args: str, token: str = TOKEN):
    env = {**project.env(), "TRITONSHIP_GRAFANA_URL": grafana_url, "TRITONSHIP_GRAFANA_TOKEN": token}
    return run_cli(*args[:1], "--spec", str(project.spec), *args[1:], "--json", env=env)


def test_promotion_and_rollback_are_annotated_with_their_tags(sim, run_cli, project):
    with GrafanaStandIn(token=TOKEN) as grafana:
        assert run(run_cli, project, grafana.url, "promote", *promote_args(GOOD)).exit_code == 0
        second = run(run_cli, project, grafana.url, "promote", *promote_args(GOOD2))
        assert second.exit_code == 0 and "grafana: success delivered" in second.json()["events"]
        assert run(run_cli, project, grafana.url, "rollback", "--env", "dev").exit_code == 0
    assert [a["tags"] for a in grafana.annotations] == [["tritonship", "demo-app", "dev", "success"]] * 2 + [
        ["tritonship", "demo-app", "dev", "rollback"]]
    first, _, back = grafana.annotations
    assert first["text"].startswith("tritonship success: demo-app -> dev revision 1 (rolling)\n")
    assert f"digest: {GOOD.split('@')[1]}" in first["text"]
    assert back["text"].startswith("tritonship rollback: demo-app -> dev revision 3 (rolling)\n")
    assert f"digest: {GOOD.split('@')[1]}" in back["text"]  # what runs again


def test_a_failed_promotion_is_annotated_as_rolled_back(sim, run_cli, project):
    with GrafanaStandIn(token=TOKEN) as grafana:
        assert run(run_cli, project, grafana.url, "promote", *promote_args(GOOD)).exit_code == 0
        assert run(run_cli, project, grafana.url, "promote", *promote_args(BAD)).exit_code == 1
    assert [a["tags"][-1] for a in grafana.annotations] == ["success", "rollback"]


@pytest.mark.parametrize(("grafana", "token", "error"), [
    ({"status": 500}, TOKEN, "Grafana answered HTTP 500: stand-in failure"),
    ({}, "glsa_wrong", "Grafana answered HTTP 401: Unauthorized (TRITONSHIP_GRAFANA_TOKEN was refused)"),
])
def test_a_failing_grafana_never_fails_the_promotion_nor_shows_the_token(sim, run_cli, project, grafana, token,
                                                                           error):
    with GrafanaStandIn(token=TOKEN, **grafana) as stand_in:
        done = run(run_cli, project, stand_in.url, "promote", *promote_args(GOOD), token=token)
    assert done.exit_code == 0, done.stderr
    assert f"grafana: success not delivered ({error})" in done.json()["events"]
    assert stand_in.annotations == [] and token not in done.stdout + done.stderr
    assert json.loads(done.stdout)["status"] == "passed"
