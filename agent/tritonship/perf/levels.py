"""Load levels from the command line or tritonship.yaml. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tritonship.errors import BadInput
from tritonship.perf.loadgen import Level

MAX_LEVELS = 100  # each level runs at least 3 measurement windows
MAX_CONCURRENCY = 65_536  # in-flight requests per level (each is an open socket: see check_open_files)
MAX_RATE = 1_000_000.0  # requests per second per level


def parse_values(text: str, flag: str, integer: bool) -> list[float]:
    """'1,4,16' or a perf_analyzer range 'start:end:step' ('1:16:4' -> 1, 5, 9, 13; step defaults to 1)."""
    convert = int if integer else float
    try:
        if ":" in text:
            parts = [convert(p) for p in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            start, end, step = (*parts, 1)[:3]
            if step <= 0 or end < start:
                raise BadInput(f"{flag} {text!r}: a range start:end:step needs start <= end and a positive step")
            if (end - start) / step >= MAX_LEVELS:
                raise BadInput(f"{flag} {text!r}: more than {MAX_LEVELS} levels; use a larger step")
            values, value = [], start
            while value <= end + 1e-9:
                values.append(value)
                value += step
        else:
            values = [convert(p) for p in text.split(",") if p.strip()]
    except ValueError:
        kind = "integers" if integer else "numbers"
        raise BadInput(f"{flag} {text!r}: expected {kind} like 1,4,16 or a range start:end:step") from None
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise BadInput(f"{flag} {text!r}: levels must be positive, finite numbers")
    largest = MAX_CONCURRENCY if integer else MAX_RATE
    if max(values) > largest:
        raise BadInput(f"{flag} {text!r}: at most {largest} per level")
    return values


def choose_levels(concurrency_flag: str | None, rate_flag: str | None, spec_concurrency: Sequence[int],
                  spec_rate: Sequence[float], arrivals: str) -> tuple[Level, ...]:
    """Flags replace the spec's levels; without flags the spec's concurrency and rate levels both run."""
    if concurrency_flag or rate_flag:
        conc = parse_values(concurrency_flag, "--concurrency", True) if concurrency_flag else []
        rates = parse_values(rate_flag, "--rate", False) if rate_flag else []
    else:
        conc, rates = list(spec_concurrency), list(spec_rate)
    levels = [Level("concurrency", int(c)) for c in conc] + [Level("rate", float(r), arrivals) for r in rates]
    if not levels:
        raise BadInput("no load levels: give --concurrency or --rate (or perf.concurrency in tritonship.yaml)")
    return tuple(levels)
