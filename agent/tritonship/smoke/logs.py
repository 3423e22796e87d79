"""Pick the server log lines that explain a model's failure."""

from __future__ import annotations

import re
from pathlib import Path

_SEVERITY = re.compile(r"^[EW]\d{4} ")


def relevant_lines(log_text: str, model: str, limit: int = 20) -> list[str]:
    """Lines naming the model, errors and warnings first (Triton prefixes them with E/W + date)."""
    pattern = re.compile(rf"(?<![\w.-]){re.escape(model)}(?![\w.-])")
    lines = [line for line in log_text.splitlines() if pattern.search(line)]
    severe = [line for line in lines if _SEVERITY.match(line)]
    chosen = severe or lines
    return chosen[-limit:]


# Triton's log header: severity+date, time, thread, file:line] (`E1201 18:43:57.519809 17359 server.cc:2607] `)
_HEADER = re.compile(r"^[EWI]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] ")
_PARSE_HINTS = ("failed to read text proto", "failed to parse", "protobuf", "config.pbtxt", "syntax error")


def load_failure_reason(log_text: str, model: str) -> str | None:
    """The server's own words for why `model` did not load: the last error line naming it, preferring
    Triton's summary (`load failed for model 'M': …`, written by tritonserver.cc / model_lifecycle.cc),
    without the log header and quotes. None when the log says nothing about it."""
    severe = [line for line in relevant_lines(log_text, model, limit=200) if line.startswith("E")]
    if not severe:
        return None
    summary = [line for line in severe if "load failed for model" in line or "failed to load" in line]
    text = _HEADER.sub("", (summary or severe)[-1]).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text.replace("\\n", " ").strip()


def config_unparsable(reason: str | None) -> bool:
    """True when the load failure is the config itself (then `tritonship validate` shows file and line)."""
    return reason is not None and any(hint in reason.lower() for hint in _PARSE_HINTS)


def read_log(path: Path | None) -> str:
    """The server log's text; empty when there is none or it cannot be read."""
    if path is None:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
