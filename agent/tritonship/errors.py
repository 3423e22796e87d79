"""One error hierarchy for the whole agent; the CLI catches it in one place.

Every subclass carries its exit code, as the README ("Conventions every command follows") documents:
0 passed, 1 a gate failed, 2 bad input or usage, 3 infrastructure unreachable or broken.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE = 1
EXIT_INPUT = 2
EXIT_INFRA = 3


class TritonshipError(Exception):
    """Base class. `hint` is an optional second line telling the user what to do."""

    exit_code = EXIT_INFRA
    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


class BadInput(TritonshipError):
    """The user gave us something we cannot use (file, flag, value). Exit 2."""

    exit_code = EXIT_INPUT
    kind = "bad_input"


class GateFailed(TritonshipError):
    """A check ran and said no. Exit 1. Most verbs return a failed result instead of raising this."""

    exit_code = EXIT_GATE
    kind = "gate_failed"


class InfraError(TritonshipError):
    """A server we depend on (registry, cluster, Triton, Prometheus, Jenkins) is unreachable or broken. Exit 3."""

    exit_code = EXIT_INFRA
    kind = "infrastructure"


class ProtocolError(InfraError):
    """An endpoint answered, but not in its protocol (an HTML page where the Kubernetes API, Jenkins or a
    registry should answer JSON). Exit 3, naming the endpoint and what it answered."""


def not_protocol(endpoint: str, expected: str, body: str | bytes) -> ProtocolError:
    """The error for `endpoint` answering `body` instead of `expected` (a short, printable excerpt)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    head = text.lstrip()[:80]
    kind = "an HTML page" if head.lower().startswith(("<!doctype html", "<html")) else "something else"
    excerpt = "".join(ch if ch.isprintable() else " " for ch in head)
    return ProtocolError(f"{endpoint} is not {expected}: it answered {kind} ({excerpt!r})",
                         hint="check the URL: it may point at a proxy, a login page or another service")
