"""Registry authentication challenges (`WWW-Authenticate`): Basic, and the Bearer token flow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


@dataclass(frozen=True)
class Challenge:
    scheme: str  # "basic" | "bearer" | other, lower-case
    params: dict[str, str] = field(default_factory=dict)


def parse_challenge(header: str | None) -> Challenge | None:
    """The first challenge of a WWW-Authenticate header, e.g. `Bearer realm="...",service="..."`."""
    if not header or not header.strip():
        return None
    scheme, _, rest = header.strip().partition(" ")
    params = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _PARAM.finditer(rest)}
    return Challenge(scheme.lower(), params)


def token_scope(repository: str, actions: str) -> str:
    return f"repository:{repository}:{actions}"


def token_from_response(payload: dict) -> str | None:
    """Token servers answer `token` (docker) or `access_token` (OAuth2)."""
    token = payload.get("token") or payload.get("access_token")
    return token if isinstance(token, str) and token else None
