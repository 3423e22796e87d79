"""Find where a field or tensor is written in config.pbtxt text, so findings carry a line and column.

The protobuf parser keeps no positions, so we search the text (with comments blanked out) for the
field, in order: `locate("input", 'name: "X"')` finds the first `name: "X"` after the first `input`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

Position = tuple[int | None, int | None]
NOWHERE: Position = (None, None)

_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|#[^\n]*')


def blank_comments(text: str) -> str:
    """The same text with every `# comment` replaced by spaces (strings left alone)."""

    def repl(match: re.Match[str]) -> str:
        token = match.group(0)
        return " " * len(token) if token.startswith("#") else token

    return _TOKENS.sub(repl, text)


def field_pattern(name: str) -> str:
    """Regex for a field name used as `name:` or `name {` / `name [`."""
    return rf"(?<![\w.]){re.escape(name)}\s*(?::|\{{|\[)"


def value_pattern(name: str, value: str) -> str:
    """Regex for `name: "value"` (string values)."""
    return rf"(?<![\w.]){re.escape(name)}\s*:\s*\"{re.escape(value)}\""


@dataclass(frozen=True)
class ConfigText:
    text: str
    code: str = field(init=False)  # comments blanked
    line_starts: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", blank_comments(self.text))
        starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        object.__setattr__(self, "line_starts", tuple(starts))

    def position(self, offset: int) -> Position:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def locate(self, *patterns: str, nth: int = 0) -> Position:
        """Position of the last pattern, each searched after the previous one; the `nth` match of the last."""
        offset = 0
        best: Position = NOWHERE
        for i, pattern in enumerate(patterns):
            matches = re.finditer(pattern, self.code[offset:])
            skip = nth if i == len(patterns) - 1 else 0
            match = next((m for k, m in enumerate(matches) if k == skip), None)
            if match is None:
                return best
            offset += match.start()
            best = self.position(offset)
        return best

    def field(self, name: str, *, after: str | None = None) -> Position:
        """Where `name:` (or `name {`) is written, optionally inside the first `after` block."""
        if after is None:
            return self.locate(field_pattern(name))
        return self.locate(field_pattern(after), field_pattern(name))

    def tensor(self, kind: str, name: str, attr: str | None = None) -> Position:
        """Where the input/output tensor `name` is declared (or its `attr`, e.g. dims)."""
        patterns = [field_pattern(kind), value_pattern("name", name)]
        found = self.locate(*patterns)
        if found == NOWHERE:
            found = self.locate(value_pattern("name", name))
            patterns = patterns[1:]
        if attr is not None and found != NOWHERE:
            with_attr = self.locate(*patterns, field_pattern(attr))
            return with_attr if with_attr != NOWHERE else found
        return found

    def value(self, name: str, value: str, nth: int = 0) -> Position:
        return self.locate(value_pattern(name, value), nth=nth)


_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')


def mask_strings(code: str) -> str:
    """Replace the inside of string literals with spaces, so braces in strings are not counted."""
    return _STRING.sub(lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1], code)


def block_spans(code: str, block: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each `{...}` directly inside the first `block { ... }` (e.g. ensemble steps)."""
    masked = mask_strings(code)
    opening = re.search(field_pattern(block), masked)
    if opening is None:
        return []
    start = masked.find("{", opening.start())
    if start < 0:
        return []
    spans, depth, open_at = [], 0, 0
    for offset in range(start, len(masked)):
        char = masked[offset]
        if char == "{":
            depth += 1
            if depth == 2:
                open_at = offset
        elif char == "}":
            depth -= 1
            if depth == 1:
                spans.append((open_at, offset + 1))
            elif depth == 0:
                break
    return spans
