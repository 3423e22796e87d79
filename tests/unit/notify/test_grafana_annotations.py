"""Promotions as Grafana annotations, against a local stand-in as strict as Grafana's annotations API:
the exact request (path, bearer token, JSON shape), 200 and every refusal, and that nothing raises."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests

from tritonship.deploy.grafana_annotations import Annotator, annotation_body
from tritonship.deploy.notify import Notice
from tritonship.process_env import ProcessEnv
from tritonship.spec.model import Notifications
from tritonship_standins.grafana import GrafanaStandIn, decode_command

TOKEN = "glsa_s3cr3t-T0KEN"
DIGEST = "sha256:" + "ab" * 32
NOTICE = Notice("rollback", "example-models", "prod", f"reg/example@{DIGEST}", reason="latency: failed",
                strategy="canary", revision=7, build_url="https://jenkins.example/job/m/12/")
NOW = 1_764_600_000.250  # seconds; Grafana wants epoch milliseconds


@pytest.fixture
def grafana():
    with GrafanaStandIn(token=TOKEN) as g:
        yield g


def annotator(url: str, token: str | None = TOKEN, **kwargs) -> Annotator:
    return Annotator(url, token, now=lambda: NOW, **kwargs)


def test_the_request_is_what_grafana_expects(grafana):
    delivery = annotator(grafana.url + "/").send(NOTICE)
    assert delivery.delivered and delivery.error is None
    [request] = grafana.requests
    assert request["path"] == "/api/annotations"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    body = json.loads(request["body"])
    assert body == {"time": 1_764_600_000_250, "tags": ["tritonship", "example-models", "prod", "rollback"],
                    "text": "tritonship rollback: example-models -> prod revision 7 (canary)\n"
                            f"digest: {DIGEST}\nimage: reg/example@{DIGEST}\nreason: latency: failed\n"
                            "build: https://jenkins.example/job/m/12/"}
    assert grafana.annotations[0]["id"] == 1 and "dashboardUID" not in body  # an organization annotation


def test_the_dashboard_query_finds_the_annotation(grafana):
    """The shipped dashboard's promotion annotation query, with $app filled in, returns what was added."""
    from importlib.resources import files

    board = json.loads((files("tritonship.deploy") / "assets" / "grafana-dashboard.json").read_text())
    [query] = [a for a in board["annotations"]["list"] if a.get("target", {}).get("type") == "tags"]
    tags = [t.replace("$app", "example-models") for t in query["target"]["tags"]]
    assert annotator(grafana.url).send(NOTICE).delivered
    assert annotator(grafana.url).send(Notice("success", "other-app", "prod", "reg/o@" + DIGEST)).delivered
    found = requests.get(f"{grafana.url}/api/annotations?{urlencode({'tags': tags}, doseq=True)}",
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()
    assert [a["tags"] for a in found] == [["tritonship", "example-models", "prod", "rollback"]]


@pytest.mark.parametrize(("token", "words"), [
    ("glsa_wrong", "Grafana answered HTTP 401: Unauthorized (TRITONSHIP_GRAFANA_TOKEN was refused)"),
    (None, "Grafana answered HTTP 401: Unauthorized (TRITONSHIP_GRAFANA_TOKEN is not set)"),
])
def test_a_refused_token_is_reported_never_raised_never_printed(grafana, token, words):
    sender = annotator(grafana.url, token)
    delivery = sender.send(NOTICE)
    assert (delivery.delivered, delivery.error) == (False, words)
    assert grafana.annotations == [] and "glsa" not in repr(sender) and grafana.url not in repr(sender)
    if token is None:
        assert "Authorization" not in grafana.requests[0]["headers"]


def test_missing_permission_and_server_errors_are_reported():
    with GrafanaStandIn(token=TOKEN, can_create=False) as limited:
        delivery = annotator(limited.url).send(NOTICE)
    assert delivery.error.startswith("Grafana answered HTTP 403: You'll need additional permissions")
    assert delivery.error.endswith("(the service account needs annotations:create)")
    with GrafanaStandIn(token=TOKEN, status=500) as failing:
        assert annotator(failing.url).send(NOTICE).error == "Grafana answered HTTP 500: stand-in failure"
    down = annotator("http://127.0.0.1:9").send(NOTICE)
    assert (down.delivered, down.error) == (False, "Grafana unreachable (ConnectionError)")


def test_only_wanted_events_and_the_url_from_the_environment_first(grafana):
    environ = ProcessEnv({"TRITONSHIP_GRAFANA_URL": grafana.url, "TRITONSHIP_GRAFANA_TOKEN": TOKEN})
    config = Notifications.model_validate({"grafana": {"url": "http://127.0.0.1:9/never"}})
    sender = Annotator.from_spec(config, environ)
    assert sender.send(Notice("start", "p", "dev", "img@" + DIGEST)) is None  # default: success, rollback, abort
    assert sender.send(NOTICE).delivered
    assert not Annotator.from_spec(Notifications(), ProcessEnv({"TRITONSHIP_GRAFANA_TOKEN": TOKEN})).enabled
    only = Annotator.from_spec(Notifications.model_validate({"grafana": {"url": grafana.url, "events": ["start"]}}),
                               ProcessEnv({"TRITONSHIP_GRAFANA_TOKEN": TOKEN}))
    assert only.send(NOTICE) is None and only.send(Notice("start", "p", "dev", "img")).delivered


def test_a_grafana_url_that_is_not_http_is_bad_input():
    with pytest.raises(ValueError, match="must start with http"):
        Notifications.model_validate({"grafana": {"url": "grafana.example:3000"}})


@pytest.mark.parametrize(("body", "why"), [
    (b'{"time": 1.5, "tags": [], "text": "x"}', "bad request data"),  # int64 epoch milliseconds
    (b'{"tags": "tritonship", "text": "x"}', "bad request data"),
    (b'{"tags": ["a", 1], "text": "x"}', "bad request data"),
    (b'{"tags": ["a"], "text": ""}', "Failed to save annotation"),
    (b'{"tags": ["a"]}', "Failed to save annotation"),
    (b"not json", "bad request data"),
])
def test_the_stand_in_refuses_what_grafanas_binding_refuses(body, why):
    assert decode_command(body) == (None, why)
    assert decode_command(json.dumps(annotation_body(NOTICE, 1)).encode())[1] == ""
