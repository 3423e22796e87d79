"""Pick the server log lines that explain a model's failure."""

from __future__ import annotations

import re

_SEVERITY = re.compile(r"^[EW]\d{4} ")


def relevant_lines(log_text: str, model: str, limit: int = 20) -> list[str]:
    """Lines naming the model, errors and warnings first (Triton prefixes them with E/W + date)."""
    pattern = re.compile(rf"(?<![\w.-]){re.escape(model)}(?![\w.-])")
    lines = [line for line in log_text.splitlines() if pattern.search(line)]
    severe = [line for line in lines if _SEVERITY.match(line)]
    chosen = severe or lines
    return chosen[-limit:]
