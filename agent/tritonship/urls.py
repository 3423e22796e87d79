"""Checks of user-given URLs, so a typo is bad input (exit 2) and never an outage (exit 3). Pure."""

from __future__ import annotations

from tritonship.errors import BadInput


def check_http_url(url: str, source: str) -> None:
    """`url` must be http(s)://HOST[:PORT][/PATH]; `source` names where it came from (flag, key or variable)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise BadInput(f"{source} {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{source} {url!r}: expected http(s)://HOST[:PORT][/PATH]")
