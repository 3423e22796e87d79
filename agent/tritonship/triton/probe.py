"""Minimal stdlib HTTP probes of a Triton server (health, repository index), used while waiting for it.

Kept free of tritonclient so launching and waiting stay cheap; inference lives in client.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class IndexEntry:
    """One row of POST /v2/repository/index."""

    name: str
    version: str
    state: str  # READY | UNAVAILABLE | LOADING | UNLOADING | "" (not loaded)
    reason: str


@dataclass(frozen=True)
class Health:
    live: bool
    ready: bool


def _url(http_url: str, path: str) -> str:
    base = http_url if "://" in http_url else f"http://{http_url}"
    return base.rstrip("/") + path


def _status(http_url: str, path: str, timeout: float) -> int | None:
    try:
        with urllib.request.urlopen(_url(http_url, path), timeout=timeout) as resp:  # noqa: S310 (http only)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def health(http_url: str, timeout: float = 2.0) -> Health:
    live = _status(http_url, "/v2/health/live", timeout) == 200
    ready = live and _status(http_url, "/v2/health/ready", timeout) == 200
    return Health(live, ready)


def repository_index(http_url: str, timeout: float = 5.0) -> list[IndexEntry]:
    """The server's repository index; [] when it cannot be read."""
    request = urllib.request.Request(_url(http_url, "/v2/repository/index"), data=b"{}", method="POST")  # noqa: S310
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            rows = json.loads(resp.read() or b"[]")
    except (OSError, ValueError):
        return []
    return parse_index(rows)


def parse_index(rows: list[dict]) -> list[IndexEntry]:
    return [
        IndexEntry(str(r.get("name", "")), str(r.get("version", "")), str(r.get("state", "")), str(r.get("reason", "")))
        for r in rows
        if isinstance(r, dict)
    ]


def settled(index: list[IndexEntry]) -> bool:
    """Every model finished loading (successfully or not)."""
    return all(entry.state not in ("LOADING", "UNLOADING") for entry in index)


def failed(index: list[IndexEntry]) -> list[IndexEntry]:
    return [entry for entry in index if entry.state != "READY"]
