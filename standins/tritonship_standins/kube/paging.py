"""Paginated lists as the API server answers them: `limit` and an opaque `continue` token.

Mirrors k8s.io/apiserver's chunked lists (storage/etcd3 `List` with `Limit`/`Continue`): a page
holds at most `limit` items, `metadata.continue` names where the next page starts and
`metadata.remainingItemCount` how many are left; the last page has no `continue`. A token that
the server did not issue is 400 BadRequest. The simulator keeps no snapshot, so (unlike etcd) a
page reflects the store as it is when that page is read.
"""

from __future__ import annotations

import base64
import json

from tritonship_standins.kube.store import StatusError


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": "meta.k8s.io/v1", "start": offset}).encode()).decode()


def _offset(token: str) -> int:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(doc["start"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StatusError(400, "BadRequest", f"continue key is not valid: {token[:40]!r}") from exc


def page(items: list[dict], limit: str | None, token: str | None) -> tuple[list[dict], dict]:
    """-> (the items of this page, the list's extra metadata)."""
    start = _offset(token) if token else 0
    try:
        size = int(limit) if limit else 0
    except ValueError as exc:
        raise StatusError(400, "BadRequest", f"limit must be a number, not {limit!r}") from exc
    if size <= 0 or start + size >= len(items):
        return items[start:], {}
    rest = len(items) - start - size
    return items[start:start + size], {"continue": _token(start + size), "remainingItemCount": rest}
