"""Cross-check tritonship.yaml against the repository: models named in smoke/perf must exist."""

from __future__ import annotations

import re
from pathlib import Path

from tritonship.repository.findings import Finding
from tritonship.repository.lint import ModelSummary
from tritonship.spec.suggest import did_you_mean


def check_spec_refs(spec, models: tuple[ModelSummary, ...]) -> list[Finding]:
    by_name = {m.name: m for m in models}
    path = spec.path or Path("tritonship.yaml")
    text = _read(path)
    findings: list[Finding] = []

    def unknown(key: str, name: str) -> None:
        line = _line_of(text, name)
        findings.append(Finding(
            "spec/unknown-model", "error", None, str(path),
            f"{key} names model {name!r}, which is not in the repository",
            f"use a model directory name{did_you_mean(name, by_name)}", line, None,
        ))

    for name in spec.smoke.models:
        if name not in by_name:
            unknown("smoke.models", name)
    if spec.perf.model and spec.perf.model not in by_name:
        unknown("perf.model", spec.perf.model)
    for name, shapes in spec.smoke.shapes.items():
        if name not in by_name:
            unknown("smoke.shapes", name)
            continue
        declared = by_name[name].inputs
        for tensor in shapes if declared else ():  # no inputs in config: the server completes them
            if tensor not in declared:
                findings.append(Finding(
                    "spec/unknown-input", "error", None, str(path),
                    f"smoke.shapes.{name} names input {tensor!r}, which {name} does not have",
                    f"inputs of {name}: {', '.join(by_name[name].inputs) or 'none'}", _line_of(text, tensor), None,
                ))
    return findings


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _line_of(text: str, word: str) -> int | None:
    match = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
    return text.count("\n", 0, match.start()) + 1 if match else None
