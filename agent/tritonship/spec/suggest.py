"""'Did you mean' hints for unknown keys, verbs and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower().replace("-", "_"): c for c in choices}
        return lowered.get(word.lower().replace("-", "_"))
    return matches[0]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' or an empty string."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match else ""
