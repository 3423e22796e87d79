"""report.html: a self-contained page (inline CSS and SVG) that Jenkins' HTML publisher can show."""

from __future__ import annotations

import math
from html import escape

from tritonship.perf import histogram
from tritonship.perf.runner import PerfResult
from tritonship.perf.svg import line_chart

DISTRIBUTION = (0.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0)
_STYLE = ("body{font:14px sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}"
          ".pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}td.l{text-align:left}")


def _nines(p: float) -> float:
    """x position for a percentile on the usual 'number of nines' scale."""
    return math.log10(1.0 / max(1.0 - p / 100.0, 1e-5))


def throughput_latency_svg(result: PerfResult) -> str:
    series = []
    for name in ("p50", "p99"):
        pts = sorted((lr.throughput, getattr(lr.latency, name)) for lr in result.levels)
        series.append((f"{name} latency", pts))
    return line_chart(series, "throughput (infer/s)", "latency (ms)", title="throughput versus latency")


def distribution_svg(result: PerfResult) -> str:
    series = []
    for lr in result.levels:
        hist = histogram.decode(lr.histogram)
        if hist.get_total_count() == 0:
            continue
        values = hist.get_percentile_to_value_dict([p for p in DISTRIBUTION if p < 100])
        pts = [(_nines(p), values[p] / 1000) for p in DISTRIBUTION if p < 100]
        pts.append((_nines(99.999), hist.get_max_value() / 1000))
        series.append((lr.level.label, pts))
    ticks = [(_nines(p), f"p{p:g}") for p in (0, 90, 99, 99.9, 99.99)] + [(_nines(99.999), "max")]
    return line_chart(series, "percentile", "latency (ms)", x_ticks=ticks, title="latency distribution")


def _levels_table(result: PerfResult) -> str:
    head = ("level", "infer/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms", "avg ms", "queue ms",
            "compute ms", "errors", "sent", "server counted", "stable")
    rows = []
    for lr in result.levels:
        lat, srv = lr.latency, lr.server
        cells = [lr.level.label, f"{lr.throughput:.1f}", *(f"{getattr(lat, k):.3f}" for k in
                 ("p50", "p90", "p95", "p99", "max", "avg")),
                 f"{srv.queue_ms:.3f}" if srv else "-",
                 f"{srv.compute_input_ms + srv.compute_infer_ms + srv.compute_output_ms:.3f}" if srv else "-",
                 str(lr.errors), str(lr.counts.sent), "yes" if lr.counts.matches else escape(lr.counts.reason),
                 "yes" if lr.stable else "no"]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>"


def _gates_table(result: PerfResult) -> str:
    if not result.checks:
        return "<p>No gates configured.</p>"
    rows = []
    for c in result.checks:
        verdict = '<span class="pass">pass</span>' if c.passed else '<span class="fail">FAIL</span>'
        rows.append(f"<tr><td class=l>{escape(c.level)}</td><td class=l>{escape(c.check)}</td>"
                    f"<td>{escape(c.limit)}</td><td>{escape(c.measured)}</td><td>{verdict}</td>"
                    f"<td class=l>{escape(c.detail)}</td></tr>")
    return ("<table><tr><th>level</th><th>check</th><th>limit</th><th>measured</th><th>verdict</th><th>detail</th>"
            "</tr>" + "".join(rows) + "</table>")


def render_html(result: PerfResult) -> str:
    status = '<span class="pass">PASSED</span>' if result.passed else '<span class="fail">FAILED</span>'
    warnings = "".join(f"<li>{escape(w)}</li>" for w in result.warnings)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>tritonship perf: {escape(result.model)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>perf: {escape(result.model)} {status}</h1>"
        f"<p>protocol {escape(result.protocol)}, batch {result.batch}, server {escape(result.url)}"
        f"{', baseline ' + escape(result.baseline) if result.baseline else ''}</p>"
        f"<h2>Gates</h2>{_gates_table(result)}"
        f"<h2>Load levels</h2>{_levels_table(result)}"
        + (f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "")
        + f"<h2>Throughput versus latency</h2>{throughput_latency_svg(result)}"
        f"<h2>Latency distribution</h2>{distribution_svg(result)}"
        "</body></html>\n"
    )
