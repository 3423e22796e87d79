"""Checks of user-given URLs, so a typo is bad input (exit 2) and never an outage (exit 3). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Endpoint:
    """A plain-HTTP HOST:PORT (Triton's HTTP and gRPC addresses are written this way)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    def shifted(self, offset: int) -> Endpoint:
        """The same host, PORT+offset (Triton serves gRPC on PORT+1 and metrics on PORT+2 by default)."""
        return Endpoint(self.host, self.port + offset)


def refuse_credentials(text: str | None, source: str) -> None:
    """A Triton address (`--url`, `--grpc-url`) with `user:password@`: BadInput, the credentials not shown.
    Triton's HTTP and gRPC endpoints take none, and without a scheme they would pass for part of the host
    name (and be printed as one, where `redact` cannot recognise them)."""
    if text and "@" in text:
        scheme, sep, rest = text.rpartition("://")
        shown = (scheme + sep if sep else "") + "***@" + rest.rpartition("@")[2]
        raise BadInput(f"{source} {shown!r}: credentials in a Triton URL are not supported (Triton's HTTP and "
                       "gRPC endpoints take none); expected HOST:PORT")


def parse_endpoint(text: str, source: str = "--url", *, default_port: int | None = None) -> Endpoint:
    """The one HOST:PORT parser: `[http://]HOST[:PORT][/]`, PORT 1-65534 (PORT+1 must be a port too).

    `default_port` fills a missing port; without it the port is required. The same bad value gets the
    same message wherever it is given (perf, smoke, ...).
    """
    scheme, sep, rest = text.rpartition("://")
    if sep and scheme != "http":
        raise BadInput(f"{source} {redact(text)!r}: expected HOST:PORT (plain HTTP)")
    rest = rest.rstrip("/")
    refuse_credentials(text, source)
    host, colon, port = rest.rpartition(":")
    if not colon and default_port is not None and rest:
        host, port = rest, str(default_port)
    if not host or not port.isdigit() or not 0 < int(port) < 65535:
        raise BadInput(f"{source} {text!r}: expected HOST:PORT, with PORT 1-65534")
    return Endpoint(host, int(port))


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"]*@")
_SECRET_QUERY = re.compile(
    r"(?i)((?:[?&]|&amp;)(?:token|access_token|id_token|api_key|apikey|key|password|passwd|secret|sig|signature|"
    r"x-amz-signature|x-amz-security-token|auth|code)=)[^&#\s'\"]*")


def redact(text: str) -> str:
    """Text with every URL's credentials hidden: `http://user:TOKEN@host/` -> `http://***@host/`, and
    token-like query parameters (`?token=…`, `&sig=…`, and `&amp;sig=…` as HTML writes it) -> `***`.
    Applied to every message and report."""
    return _SECRET_QUERY.sub(r"\1***", _USERINFO.sub(r"\1***@", text))


def redact_tree(value):
    """`redact` applied to every string in a JSON-like document (dicts, lists, strings)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_tree(item) for item in value]
    return value
