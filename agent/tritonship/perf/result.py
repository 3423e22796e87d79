"""result.json's `perf` facts (a contract Groovy reads, and the next run's baseline) and baseline loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tritonship.boundary import read_text_input
from tritonship.errors import BadInput
from tritonship.perf.measure import LevelResult
from tritonship.perf.runner import PerfResult


def level_dict(lr: LevelResult) -> dict[str, Any]:
    key = "concurrency" if lr.level.mode == "concurrency" else "rate"
    value = int(lr.level.value) if key == "concurrency" else lr.level.value
    out: dict[str, Any] = {
        "label": lr.level.label,
        key: value,
        "throughput": round(lr.throughput, 2),
        "latency_ms": lr.latency.as_dict(),
        "server": lr.server.as_dict() if lr.server else None,
        "sent": lr.counts.sent,
        "errors": lr.errors,
        "error_rate": round(lr.error_rate, 6),
        "counts": lr.counts.as_dict(),
        "stable": lr.stable,
        "stability": lr.stability,
        "windows": [w.as_dict() for w in lr.windows],
        "client_cpu": round(lr.client_cpu, 3),
        "client_cpu_us_per_request": round(lr.client_cpu_us_per_request, 2),
        "warnings": list(lr.warnings),
        "first_error": lr.first_error,
        "histogram": lr.histogram,
    }
    if key == "rate":
        out["arrivals"] = lr.level.arrivals
    return out


def to_dict(result: PerfResult) -> dict[str, Any]:
    levels = [level_dict(lr) for lr in result.levels]
    for entry in levels:
        entry["gates"] = [c.as_dict() for c in result.checks if c.level == entry["label"]]
    return {
        "model": result.model,
        "protocol": result.protocol,
        "batch": result.batch,
        "url": result.url,
        "workers": result.workers,
        "baseline": result.baseline,
        "regression": {"status": result.regression, "required": result.regression_required},
        "levels": levels,
        "gates": [c.as_dict() for c in result.checks],
        "warnings": result.warnings,
    }


def load_baseline(path: str) -> dict[str, Any]:
    """A previous `tritonship perf` result.json; BadInput when it is not one."""
    file = Path(path)
    try:
        doc = json.loads(read_text_input(file, "perf baseline"))  # bounded (boundary.LIMITS)
    except OSError as exc:
        raise BadInput(f"--baseline {path}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BadInput(f"--baseline {path}: not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("verb") != "perf" or not isinstance(doc.get("levels"), list):
        raise BadInput(f"--baseline {path}: not a result.json written by `tritonship perf`")
    return doc
