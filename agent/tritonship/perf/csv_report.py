"""CSV with perf_analyzer's columns (latencies in microseconds), one row per load level."""

from __future__ import annotations

import csv
import io

from tritonship.perf.measure import LevelResult

COLUMNS = [
    "Concurrency", "Inferences/Second", "Client Send", "Network+Server Send/Recv", "Server Queue",
    "Server Compute Input", "Server Compute Infer", "Server Compute Output", "Client Recv",
    "p50 latency", "p90 latency", "p95 latency", "p99 latency", "Avg latency",
]


def row(lr: LevelResult) -> list[str]:
    """Requests are pre-serialised and responses only framed, so client send/recv are ~0 us."""
    us = lambda ms: str(round(ms * 1000))  # noqa: E731
    lat = lr.latency
    server = lr.server
    split = [server.queue_ms, server.compute_input_ms, server.compute_infer_ms, server.compute_output_ms] \
        if server else [0.0, 0.0, 0.0, 0.0]
    network = max(0.0, lat.avg - sum(split))
    level = str(int(lr.level.value)) if lr.level.mode == "concurrency" else f"{lr.level.value:g}"
    return [level, f"{lr.throughput:.2f}", "0", us(network), *(us(v) for v in split), "0",
            us(lat.p50), us(lat.p90), us(lat.p95), us(lat.p99), us(lat.avg)]


def render_csv(levels: list[LevelResult] | tuple[LevelResult, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rate = bool(levels) and levels[0].level.mode == "rate"
    writer.writerow(["Request Rate" if rate else "Concurrency", *COLUMNS[1:]])
    for lr in levels:
        writer.writerow(row(lr))
    return out.getvalue()
