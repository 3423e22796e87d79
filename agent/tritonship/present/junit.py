"""JUnit XML, the format Jenkins' `junit` step records."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class JUnitCase:
    name: str
    classname: str
    failure: str | None = None  # message when the case failed
    details: str = ""  # failure body (stack, reason, diff)
    system_out: str = ""  # e.g. the server log attached to a failure
    skipped: str | None = None
    time_s: float = 0.0


def render_junit(suite: str, cases: list[JUnitCase]) -> str:
    failures = sum(1 for c in cases if c.failure is not None)
    skipped = sum(1 for c in cases if c.skipped is not None and c.failure is None)
    total = sum(c.time_s for c in cases)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<testsuites><testsuite name={quoteattr(suite)} tests=\"{len(cases)}\" failures=\"{failures}\""
        f' errors="0" skipped="{skipped}" time="{total:.3f}">',
    ]
    for case in cases:
        attrs = f"classname={quoteattr(case.classname)} name={quoteattr(case.name)}"
        lines.append(f'  <testcase {attrs} time="{case.time_s:.3f}">')
        if case.failure is not None:
            message, body = quoteattr(_xml_safe(case.failure)), escape(_xml_safe(case.details))
            lines.append(f"    <failure message={message}>{body}</failure>")
        elif case.skipped is not None:
            lines.append(f"    <skipped message={quoteattr(case.skipped)}/>")
        if case.system_out:
            lines.append(f"    <system-out>{escape(_xml_safe(case.system_out))}</system-out>")
        lines.append("  </testcase>")
    lines.append("</testsuite></testsuites>")
    return "\n".join(lines) + "\n"


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 forbids (server logs can hold control bytes)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
