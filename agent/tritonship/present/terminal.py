"""The one path from a message to the terminal (or a Jenkins log): every line the CLI prints, while it runs
(server start, smoke and perf progress, perf's live status, promote and rollback step lines, build steps,
warnings) and when it ends (the rendered result, an error and its hint), is escaped and redacted here.

`terminal_text` hides URL credentials and token-like query parameters (urls.redact) and shows control
characters as `\\x1b` instead of letting them act on the terminal (ESC sequences from a model name, a
ledger record or a server's answer); newlines and tabs stay. `progress` makes the line printers the verbs
pass to their cores; `SafeConsole` is the rich Console every verb renders with: it escapes the text of
each rendered segment, and leaves rich's own styling and cursor control (colours, the live status line)
alone. --json and result.json are documents: they get `urls.redact_tree`, and JSON escapes control
characters itself; junit.xml, report.html and the other report files get `terminal_text` (common.write_reports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from tritonship.urls import redact

if TYPE_CHECKING:
    from rich.console import Console
    from rich.segment import Segment

__all__ = ["progress", "safe_console", "say", "terminal_text"]

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\n\t"}


def terminal_text(text: object) -> str:
    """Text safe to print on a terminal: URL credentials redacted, control characters (ESC sequences from a
    model name or a server's answer) shown as `\\x1b` instead of acting on the terminal."""
    return redact(str(text)).translate(_CONTROL)


def say(message: object, prefix: str = "") -> None:
    """One progress or warning line on stderr (stdout stays clean for --json)."""
    click.echo(prefix + terminal_text(message), err=True)


def progress(prefix: str = "", *, quiet: bool = False) -> Callable[[str], None]:
    """The line printer a verb hands its core; `quiet` (e.g. under --json) prints nothing."""
    if quiet:
        return lambda _message: None
    return lambda message: say(message, prefix)


def safe_console(stderr: bool = False, width: int | None = None, **options: Any) -> Console:
    """A rich Console whose rendered text is escaped and redacted (see the module docstring)."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            # Segment.control marks rich's own cursor/erase codes (the live status line): kept as they are
            return super()._render_buffer(
                seg if seg.control else Segment(terminal_text(seg.text), seg.style) for seg in buffer)

    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=False, width=width, **options)
