"""result.json shape, perf_analyzer CSV columns, self-contained HTML, JUnit cases per gate."""

from __future__ import annotations

import csv
import io
import re

from tests.unit.perf.builders import level_result, perf_result

from tritonship.perf.csv_report import render_csv
from tritonship.perf.gates import GateCheck
from tritonship.perf.result import to_dict
from tritonship.present.perf import junit_cases
from tritonship.present.perf_html import render_html

PA_COLUMNS = ("Concurrency,Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,Server Compute Input,"
              "Server Compute Infer,Server Compute Output,Client Recv,p50 latency,p90 latency,p95 latency,"
              "p99 latency,Avg latency")


def test_csv_has_perf_analyzer_columns_in_microseconds():
    text = render_csv(perf_result().levels)
    rows = list(csv.reader(io.StringIO(text)))
    assert ",".join(rows[0]) == PA_COLUMNS
    assert [r[0] for r in rows[1:]] == ["1", "4"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Server Queue"] == "100"  # 0.1 ms
    assert 400 < int(first["p50 latency"]) < 600  # ~500 us


def test_result_json_shape():
    check = GateCheck("c1", "p99 budget", "<= 1 ms", "0.6 ms", True)
    doc = to_dict(perf_result(checks=(check,)))
    level = doc["levels"][0]
    assert level["concurrency"] == 1 and level["label"] == "c1"
    assert set(level["latency_ms"]) >= {"p50", "p90", "p95", "p99", "max", "avg"}
    assert set(level["server"]) >= {"queue_ms", "compute_input_ms", "compute_infer_ms", "compute_output_ms"}
    assert level["counts"]["matches"] is True and level["sent"] == 3000
    assert level["stable"] is True and level["histogram"]
    assert level["gates"] == [check.as_dict()]
    assert doc["levels"][1]["gates"] == []


def test_html_is_self_contained_with_two_plots():
    html = render_html(perf_result(checks=(GateCheck("c1", "p99 budget", "<= 1 ms", "2 ms", False),)))
    assert html.count("<svg") == 3
    assert "FAIL" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "<script" not in html


def test_junit_one_case_per_gate():
    checks = (GateCheck("c1", "p99 budget", "<= 1 ms", "2 ms", False), GateCheck("c4", "p99 budget", "<= 1 ms",
                                                                                "0.9 ms", True))
    cases = junit_cases(perf_result(checks=checks))
    assert [c.name for c in cases] == ["c1 p99 budget", "c4 p99 budget"]
    assert cases[0].failure and cases[1].failure is None


def test_count_mismatch_is_visible():
    lr = level_result(sent=100, server_counted=90)
    assert not lr.counts.matches
    assert to_dict(perf_result(levels=(lr,)))["levels"][0]["counts"]["matches"] is False


def test_plots_are_well_formed_svg_with_a_series_per_level():
    import xml.etree.ElementTree as ET

    html = render_html(perf_result())
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    trees = [ET.fromstring(svg) for svg in svgs]
    lines = [t.findall("{http://www.w3.org/2000/svg}polyline") for t in trees]
    assert len(lines[0]) == 2  # p50 and p99 against throughput
    assert len(lines[1]) == 2  # one distribution per level (c1, c4)
