"""perf's report.html: verdict, provenance, gates, levels and four charts, CSP-safe (see html_page)."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from tritonship.perf import histogram
from tritonship.perf.runner import PerfResult
from tritonship.present.html_page import Provenance, facts, mark, page, provenance_facts, table
from tritonship.present.svg import COLOURS, Series, line_chart, stacked_bars

DISTRIBUTION = (0.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99)


def _nines(p: float) -> float:
    """x position for a percentile on the usual 'number of nines' scale."""
    return math.log10(1.0 / max(1.0 - p / 100.0, 1e-5))


def _baseline_levels(baseline: dict[str, Any] | None) -> list[dict[str, Any]]:
    levels = (baseline or {}).get("levels")
    return [lv for lv in levels if isinstance(lv, dict)] if isinstance(levels, list) else []


def _baseline_point(level: dict[str, Any], name: str) -> tuple[float, float] | None:
    try:
        return float(level["throughput"]), float(level["latency_ms"][name])
    except (KeyError, TypeError, ValueError):
        return None


def throughput_latency_svg(result: PerfResult, baseline: dict[str, Any] | None = None) -> str:
    labels = [lr.level.label for lr in sorted(result.levels, key=lambda lr: lr.throughput)]
    series = [Series(f"{name} latency", sorted((lr.throughput, getattr(lr.latency, name)) for lr in result.levels),
                     labels=labels, colour=COLOURS[i]) for i, name in enumerate(("p50", "p99"))]
    for i, name in enumerate(("p50", "p99")):  # the baseline in the same colour, dashed
        pts = sorted(p for lv in _baseline_levels(baseline) if (p := _baseline_point(lv, name)) is not None)
        if pts:
            series.append(Series(f"{name} latency", pts, dashed=True, colour=COLOURS[i]))
    return line_chart(series, "throughput (infer/s)", "latency (ms)", title="throughput versus latency")


def _distribution(label: str, encoded: str, colour: str, dashed: bool = False) -> Series | None:
    try:
        hist = histogram.decode(encoded)
    except Exception:
        return None
    if hist.get_total_count() == 0:
        return None
    values = hist.get_percentile_to_value_dict(list(DISTRIBUTION))
    pts = [(_nines(p), values[p] / 1000) for p in DISTRIBUTION]
    pts.append((_nines(99.999), hist.get_max_value() / 1000))
    return Series(label, pts, dashed=dashed, colour=colour)


def distribution_svg(result: PerfResult, baseline: dict[str, Any] | None = None) -> str:
    colour = {lr.level.label: COLOURS[i % len(COLOURS)] for i, lr in enumerate(result.levels)}
    series = [_distribution(lr.level.label, lr.histogram, colour[lr.level.label]) for lr in result.levels]
    series += [_distribution(str(lv["label"]), lv["histogram"], colour[lv["label"]], dashed=True)
               for lv in _baseline_levels(baseline)
               if lv.get("label") in colour and isinstance(lv.get("histogram"), str)]
    ticks = [(_nines(p), f"p{p:g}") for p in (0, 90, 99, 99.9, 99.99)] + [(_nines(99.999), "max")]
    return line_chart([s for s in series if s], "percentile", "latency (ms)", x_ticks=ticks,
                      title="latency distribution")


def breakdown_svg(result: PerfResult) -> str:
    """Where a request's server time goes, per level (Triton's queue and compute durations)."""
    levels = [lr for lr in result.levels if lr.server]
    parts = (("queue", "queue_ms"), ("compute input", "compute_input_ms"), ("compute infer", "compute_infer_ms"),
             ("compute output", "compute_output_ms"))
    return stacked_bars([lr.level.label for lr in levels],
                        [(name, [getattr(lr.server, key) for lr in levels]) for name, key in parts],
                        "server time per request (ms)", title="queue and compute per level")


def _levels_table(result: PerfResult) -> str:
    head = ("level", "infer/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms", "avg ms", "queue ms",
            "compute ms", "errors", "sent", "server counted", "stable")
    rows = []
    for lr in result.levels:
        lat, srv = lr.latency, lr.server
        rows.append([escape(lr.level.label), f"{lr.throughput:.1f}",
                     *(f"{getattr(lat, k):.3f}" for k in ("p50", "p90", "p95", "p99", "max", "avg")),
                     f"{srv.queue_ms:.3f}" if srv else "-",
                     f"{srv.compute_input_ms + srv.compute_infer_ms + srv.compute_output_ms:.3f}" if srv else "-",
                     str(lr.errors), str(lr.counts.sent),
                     "yes" if lr.counts.matches else escape(lr.counts.reason), "yes" if lr.stable else "no"])
    return table(head, rows)


def _gates_table(result: PerfResult) -> str:
    if not result.checks:
        return "<p>No gates configured.</p>"
    rows = [[escape(c.level), escape(c.check), escape(c.limit), escape(c.measured), mark(c.passed), escape(c.detail)]
            for c in result.checks]
    return table(("level", "check", "limit", "measured", "verdict", "detail"), rows, left=2)


def render_html(result: PerfResult, baseline: dict[str, Any] | None = None,
                provenance: Provenance | None = None) -> str:
    warnings = "".join(f"<li>{escape(w)}</li>" for w in result.warnings)
    about = facts([("model", result.model), ("protocol", result.protocol), ("batch", str(result.batch)),
                   ("server", result.url), *provenance_facts(provenance), ("baseline", result.baseline)])
    body = [about, f"<h2>Gates</h2>{_gates_table(result)}", f"<h2>Load levels</h2>{_levels_table(result)}",
            f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
            "<h2>Throughput versus latency</h2>", throughput_latency_svg(result, baseline),
            "<h2>Latency distribution</h2>", distribution_svg(result, baseline),
            "<h2>Queue and compute</h2>", breakdown_svg(result)]
    return page(f"tritonship perf: {result.model}", f"perf: {result.model}", result.passed, body,
                verdict="PASSED" if result.passed else "FAILED")
