"""Webhook notifications: delivered to a real local HTTP receiver; failures never raise, URL never shown."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tritonship.deploy.notify import Notice, Notifier, message_body
from tritonship.spec.model import Notifications

SECRET_URL_PART = "T000/B000/s3cr3t"


class Receiver:
    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/{SECRET_URL_PART}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


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


def test_env_var_overrides_spec(receiver, monkeypatch):
    monkeypatch.setenv("TRITONSHIP_WEBHOOK_URL", receiver.url)
    notifier = Notifier.from_spec(Notifications(webhook="http://127.0.0.1:9/never"))
    assert notifier.send(NOTICE).delivered


def test_failures_are_reported_without_the_url_and_never_raise():
    down = Notifier(f"http://127.0.0.1:9/{SECRET_URL_PART}")
    delivery = down.send(NOTICE)
    assert not delivery.delivered and SECRET_URL_PART not in delivery.error
    assert SECRET_URL_PART not in repr(down)
    failing = Receiver(status=500)
    try:
        delivery = Notifier(failing.url).send(NOTICE)
    finally:
        failing.close()
    assert (delivery.delivered, delivery.error) == (False, "webhook answered HTTP 500")


def test_disabled_without_url(monkeypatch):
    monkeypatch.delenv("TRITONSHIP_WEBHOOK_URL", raising=False)
    notifier = Notifier.from_spec(Notifications())
    assert not notifier.enabled and notifier.send(NOTICE) is None


def test_body_omits_empty_fields():
    body = message_body(Notice("start", "p", "dev", "img"))
    assert set(body) == {"text", "event", "project", "environment", "image"}
