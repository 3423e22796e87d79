"""Optional webhook notifications on start, pause, abort, rollback and success.

The body is JSON with a Slack-compatible `text` line plus the facts (event, project, environment,
image, reason). The URL comes from TRITONSHIP_WEBHOOK_URL, else the spec's notifications.webhook,
and is never printed (it often embeds a token). Variables come from the `ProcessEnv` the CLI read
once (`process_env.py`), never from `os.environ` here. Failing to notify never fails a promotion: the
result says whether the message was delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tritonship.process_env import Given, ProcessEnv, first_given

if TYPE_CHECKING:
    from tritonship.spec.model import Notifications

WEBHOOK_ENV = "TRITONSHIP_WEBHOOK_URL"
EVENTS = ("start", "pause", "abort", "rollback", "success")
_ICON = {"start": ":rocket:", "pause": ":double_vertical_bar:", "abort": ":no_entry:", "rollback": ":rewind:",
         "success": ":white_check_mark:"}


@dataclass(frozen=True)
class Notice:
    event: str
    project: str
    environment: str
    image: str
    reason: str = ""
    strategy: str = ""
    revision: int | None = None
    build_url: str | None = None


@dataclass(frozen=True)
class Delivery:
    event: str
    delivered: bool
    error: str | None = None  # never contains the URL


def message_body(notice: Notice) -> dict:
    """The JSON body: `text` for Slack-compatible receivers, the facts for everything else."""
    rev = f" revision {notice.revision}" if notice.revision is not None else ""
    text = f"{_ICON.get(notice.event, '')} tritonship {notice.event}: {notice.project} -> {notice.environment}{rev}"
    text += f" ({notice.strategy})" if notice.strategy else ""
    text += f"\nimage: {notice.image}"
    if notice.reason:
        text += f"\nreason: {notice.reason}"
    if notice.build_url:
        text += f"\nbuild: {notice.build_url}"
    body = {"text": text.strip()}
    body.update({k: v for k, v in notice.__dict__.items() if v not in (None, "")})
    return body


def webhook_url(config: Notifications | None, environ: ProcessEnv | None = None) -> str | None:
    """TRITONSHIP_WEBHOOK_URL, else notifications.webhook, else None."""
    environ = environ if environ is not None else ProcessEnv()
    return first_given(Given(WEBHOOK_ENV, environ.value(WEBHOOK_ENV)),
                       Given("notifications.webhook", config.webhook if config is not None else None)).value


class Notifier:
    """Sends notices to one webhook. `post(url, json, timeout)` is injectable (default: requests.post)."""

    name = "webhook"

    def __init__(self, url: str | None, events: tuple[str, ...] | list[str] = EVENTS,
                 post: Callable[..., object] | None = None, timeout_s: float = 5.0) -> None:
        self._url = url
        self.events = tuple(events)
        self._post = post
        self.timeout_s = timeout_s
        self.deliveries: list[Delivery] = []

    @classmethod
    def from_spec(cls, config: Notifications | None, post: Callable[..., object] | None = None,
                  environ: ProcessEnv | None = None) -> Notifier:
        events = tuple(config.events) if config is not None else EVENTS
        return cls(webhook_url(config, environ), events, post)

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def __repr__(self) -> str:  # never show the URL
        return f"Notifier(enabled={self.enabled}, events={self.events})"

    def send(self, notice: Notice) -> Delivery | None:
        """Deliver one notice if it is wanted; returns what happened (None when not sent at all)."""
        if not self._url or notice.event not in self.events:
            return None
        delivery = self._deliver(notice)
        self.deliveries.append(delivery)
        return delivery

    def _deliver(self, notice: Notice) -> Delivery:
        post = self._post or _requests_post
        try:
            response = post(self._url, json=message_body(notice), timeout=self.timeout_s)
        except Exception as exc:  # a notification must never fail the promotion
            return Delivery(notice.event, False, f"webhook unreachable ({type(exc).__name__})")
        status = getattr(response, "status_code", 200)
        if not 200 <= int(status) < 300:
            return Delivery(notice.event, False, f"webhook answered HTTP {status}")
        return Delivery(notice.event, True)


def _requests_post(url: str, *, json: dict, timeout: float):
    import requests

    return requests.post(url, json=json, timeout=timeout)


def deliveries_to_list(notifier: Notifier) -> list[dict]:
    return [{"event": d.event, "delivered": d.delivered, **({"error": d.error} if d.error else {})}
            for d in notifier.deliveries]


def event_for(outcome: str, kind: str = "promote") -> str | None:
    """The notification event of an engine outcome. Pure."""
    if outcome == "succeeded":
        return "rollback" if kind == "rollback" else "success"
    return {"start": "start", "paused": "pause", "rolled-back": "rollback", "failed": "rollback",
            "aborted": "abort", "superseded": "abort"}.get(outcome)


def promotion_hook(config: Notifications | None, post: Callable[..., object] | None = None,
                   environ: ProcessEnv | None = None):
    """The engine's `World.notify`: sends the notice to the webhook and as a Grafana annotation
    (deploy/grafana_annotations.py), noting whether each was delivered; None when neither is configured.
    BUILD_URL (set by Jenkins) links the notice to the build."""
    from tritonship.deploy.grafana_annotations import Annotator

    environ = environ if environ is not None else ProcessEnv()
    sinks = [s for s in (Notifier.from_spec(config, post, environ), Annotator.from_spec(config, environ))
             if s.enabled]
    if not sinks:
        return None

    def hook(outcome: str, p, reason: str, kind: str = "promote") -> None:
        event = event_for(outcome, kind)
        if event is None or p is None:
            return
        notice = Notice(event, p.app, p.env_name, p.image, reason, strategy=p.env.strategy.kind,
                        revision=p.revision, build_url=environ.value("BUILD_URL"))
        for sink in sinks:
            delivery = sink.send(notice)
            if delivery is not None:
                p.note(f"{sink.name}: {event} delivered" if delivery.delivered
                       else f"{sink.name}: {event} not delivered ({delivery.error})")

    return hook
