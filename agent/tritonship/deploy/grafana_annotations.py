"""Promotions as Grafana annotations: `POST /api/annotations` of Grafana's HTTP API, one per event.

Organization annotations (no dashboardUID) tagged `tritonship`, the app, the environment and the event
(success, rollback, abort, ...), with the revision, strategy, digest and reason as text; the shipped
dashboard shows them through a Grafana-datasource annotation query on the tags `tritonship` and
`$app`. The URL comes from TRITONSHIP_GRAFANA_URL, else notifications.grafana.url; the token (a
service account token with `annotations:create`) only from TRITONSHIP_GRAFANA_TOKEN, sent as
`Authorization: Bearer`. Neither is ever printed. As for the webhook, an annotation that cannot be
added never fails a promotion: the result notes why (Grafana's status and message).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tritonship.deploy.notify import Delivery, Notice
from tritonship.process_env import Given, ProcessEnv, first_given

if TYPE_CHECKING:
    from tritonship.spec.model import Notifications

URL_ENV, TOKEN_ENV = "TRITONSHIP_GRAFANA_URL", "TRITONSHIP_GRAFANA_TOKEN"
DEFAULT_EVENTS = ("success", "rollback", "abort")  # what changes what runs
TAG = "tritonship"


def annotation_body(notice: Notice, now_ms: int) -> dict[str, Any]:
    """PostAnnotationsCmd: `time` in epoch milliseconds (an int64), `tags` strings, a non-empty `text`. Pure."""
    rev = f" revision {notice.revision}" if notice.revision is not None else ""
    lines = [f"tritonship {notice.event}: {notice.project} -> {notice.environment}{rev}"
             + (f" ({notice.strategy})" if notice.strategy else "")]
    digest = notice.image.rsplit("@", 1)[1] if "@" in notice.image else ""
    lines += [f"digest: {digest}"] if digest else []
    lines += [f"image: {notice.image}"]
    lines += [f"reason: {notice.reason}"] if notice.reason else []
    lines += [f"build: {notice.build_url}"] if notice.build_url else []
    return {"time": now_ms, "tags": [TAG, notice.project, notice.environment, notice.event], "text": "\n".join(lines)}


class Annotator:
    """Adds an annotation per wanted notice. `post(url, json, headers, timeout)` is injectable."""

    name = "grafana"

    def __init__(self, url: str | None, token: str | None, events: tuple[str, ...] | list[str] = DEFAULT_EVENTS, *,
                 post: Callable[..., Any] | None = None, now: Callable[[], float] = time.time,
                 timeout_s: float = 5.0) -> None:
        self._url = url.rstrip("/") if url else None
        self._token = token
        self.events = tuple(events)
        self._post = post
        self._now = now
        self.timeout_s = timeout_s

    @classmethod
    def from_spec(cls, config: Notifications | None, environ: ProcessEnv | None = None, **kwargs: Any) -> Annotator:
        environ = environ if environ is not None else ProcessEnv()
        grafana = config.grafana if config is not None else None
        url = first_given(Given(URL_ENV, environ.value(URL_ENV)),
                          Given("notifications.grafana.url", grafana.url if grafana else None)).value
        events = tuple(grafana.events) if grafana is not None else DEFAULT_EVENTS
        return cls(url, environ.value(TOKEN_ENV), events, **kwargs)

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def __repr__(self) -> str:  # never the URL or the token
        return f"Annotator(enabled={self.enabled}, token={'set' if self._token else 'unset'}, events={self.events})"

    def send(self, notice: Notice) -> Delivery | None:
        if not self._url or notice.event not in self.events:
            return None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        body = annotation_body(notice, int(self._now() * 1000))
        try:
            response = (self._post or _requests_post)(f"{self._url}/api/annotations", json=body, headers=headers,
                                                      timeout=self.timeout_s)
        except Exception as exc:  # an annotation must never fail the promotion
            return Delivery(notice.event, False, f"Grafana unreachable ({type(exc).__name__})")
        status = int(getattr(response, "status_code", 0))
        if status == 200:
            return Delivery(notice.event, True)
        return Delivery(notice.event, False, _refusal(status, response, bool(self._token)))


def _refusal(status: int, response: Any, has_token: bool) -> str:
    """Grafana's status and message (never the URL or token), and what to do about a 401/403."""
    try:
        message = str((response.json() or {}).get("message") or "")[:160]
    except Exception:
        message = ""
    text = f"Grafana answered HTTP {status}" + (f": {message}" if message else "")
    if status == 401:
        text += f" ({TOKEN_ENV} {'was refused' if has_token else 'is not set'})"
    elif status == 403:
        text += " (the service account needs annotations:create)"
    return text


def _requests_post(url: str, *, json: dict, headers: dict, timeout: float):
    import requests

    return requests.post(url, json=json, headers=headers, timeout=timeout)
