"""Webhook notifications: delivered to a real local HTTP receiver; failures never raise, URL never shown."""

from __future__ import annotations

import pytest

from tritonship.deploy.notify import Notice, Notifier, event_for, message_body
from tritonship.process_env import ProcessEnv
from tritonship.spec.model import Notifications
from tritonship_standins.webhook import WebhookReceiver

SECRET_URL_PART = "T000/B000/s3cr3t"


@pytest.fixture
def receiver():
    with WebhookReceiver(path=f"/hooks/{SECRET_URL_PART}") as r:
        yield r


NOTICE = Notice("rollback", "example-models", "prod", "reg/example@sha256:abc", reason="latency: failed",
                strategy="canary", revision=7)


def test_delivers_slack_compatible_json(receiver):
    notifier = Notifier(receiver.url)
    delivery = notifier.send(NOTICE)
    assert delivery.delivered
    body = receiver.bodies[0]
    assert body["text"].startswith(":rewind: tritonship rollback: example-models -> prod revision 7 (canary)")
    assert "reason: latency: failed" in body["text"]
    assert {body[k] for k in ("event", "environment", "image", "reason")} == {
        "rollback", "prod", "reg/example@sha256:abc", "latency: failed"}


def test_only_configured_events_are_sent(receiver):
    notifier = Notifier.from_spec(Notifications(webhook=receiver.url, events=["abort"]))
    assert notifier.send(NOTICE) is None
    assert notifier.send(Notice("abort", "p", "prod", "img")).delivered
    assert [b["event"] for b in receiver.bodies] == ["abort"]


def test_env_var_overrides_spec(receiver):
    environ = ProcessEnv({"TRITONSHIP_WEBHOOK_URL": receiver.url})
    notifier = Notifier.from_spec(Notifications(webhook="http://127.0.0.1:9/never"), environ=environ)
    assert notifier.send(NOTICE).delivered


def test_only_the_given_environment_is_read(receiver, monkeypatch):
    """The process environment reaches the notifier only through the ProcessEnv the CLI read."""
    monkeypatch.setenv("TRITONSHIP_WEBHOOK_URL", receiver.url)
    assert not Notifier.from_spec(Notifications()).enabled
    assert Notifier.from_spec(Notifications(), environ=ProcessEnv({"TRITONSHIP_WEBHOOK_URL": receiver.url})).enabled


def test_failures_are_reported_without_the_url_and_never_raise():
    down = Notifier(f"http://127.0.0.1:9/{SECRET_URL_PART}")
    delivery = down.send(NOTICE)
    assert not delivery.delivered and SECRET_URL_PART not in delivery.error
    assert SECRET_URL_PART not in repr(down)
    with WebhookReceiver(status=500) as failing:
        delivery = Notifier(failing.url).send(NOTICE)
    assert (delivery.delivered, delivery.error) == (False, "webhook answered HTTP 500")


def test_disabled_without_url():
    notifier = Notifier.from_spec(Notifications(), environ=ProcessEnv({"TRITONSHIP_WEBHOOK_URL": ""}))
    assert not notifier.enabled and notifier.send(NOTICE) is None


def test_body_omits_empty_fields():
    body = message_body(Notice("start", "p", "dev", "img"))
    assert set(body) == {"text", "event", "project", "environment", "image"}


@pytest.mark.parametrize(("outcome", "kind", "event"), [
    ("start", "promote", "start"), ("paused", "promote", "pause"), ("succeeded", "promote", "success"),
    ("succeeded", "rollback", "rollback"), ("rolled-back", "promote", "rollback"), ("aborted", "promote", "abort"),
    ("in-progress", "promote", None),
])
def test_engine_outcomes_map_to_events(outcome, kind, event):
    assert event_for(outcome, kind) == event
