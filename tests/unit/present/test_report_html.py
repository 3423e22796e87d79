"""Every report.html is CSP-safe by construction: Jenkins serves archived HTML with
`sandbox; default-src 'none'; img-src 'self'; style-src 'self';`, which drops inline styles and scripts."""

from __future__ import annotations

import json
import re

import pytest
from tests.unit.present.report_samples import REPORTS, perf_html, promote_html, smoke_html

from tritonship.present.common import Outcome, write_reports
from tritonship.present.html_page import STYLESHEET, stylesheet


def csp_violations(html: str) -> list[str]:
    """What Jenkins' default CSP would block (or what would reach outside the report directory)."""
    found = []
    for pattern, what in ((r"<style", "<style> element"), (r"\sstyle\s*=", "style= attribute"),
                          (r"<script", "<script> element"), (r"\son[a-z]+\s*=", "event handler attribute"),
                          (r"""(src|href)\s*=\s*["']?(https?:|//|data:)""", "external or data: resource"),
                          (r"javascript:", "javascript: URL")):
        if re.search(pattern, html, re.IGNORECASE):
            found.append(what)
    return found


@pytest.mark.parametrize("verb", sorted(REPORTS))
def test_report_is_csp_safe_and_links_the_stylesheet(verb):
    html = REPORTS[verb]()
    assert csp_violations(html) == []
    assert f'<link rel="stylesheet" href="{STYLESHEET}">' in html
    assert 'id="verdict"' in html


def test_checker_catches_inline_styles():
    assert csp_violations('<p style="color:red"><style>p{}</style><script>x</script>') == [
        "<style> element", "style= attribute", "<script> element"]


def test_perf_report_has_four_things_to_see():
    html = perf_html()
    assert html.count("<svg") == 3  # throughput/latency, distribution, queue/compute
    assert 'class="baseline"' in html  # the baseline overlaid, dashed
    assert '<text class="point"' in html and ">c4</text>" in html  # points carry their concurrency
    assert "0123abcd" in html and "sha256:abab" in html and "2026-12-01" in html
    assert "queue and compute per level" in html and "FAILED" in html


def test_smoke_report_quotes_the_server_log_escaped():
    html = smoke_html()
    assert "failed to load &#x27;broken&#x27;: &lt;b&gt;bad&lt;/b&gt;" in html
    assert '<span class="fail">UNAVAILABLE</span>' in html


def test_promote_report_shows_steps_measurements_limits_and_judge():
    html = promote_html()
    assert "2026-12-01T18:00:05.000000Z" in html and "canary weight over time" in html
    assert "&lt;= 0.01" in html and "&gt;= 0.05" in html  # each measurement beside its limits
    assert "[3, 5]" in html and "+40.0" in html  # the judge's effect CI and change
    assert "back on stable" in html and 'class="verdict fail"' in html


def test_write_reports_puts_the_stylesheet_beside_the_page(tmp_path):
    outcome = Outcome("perf", "failed", 1, {}, html=perf_html())
    write_reports(tmp_path, outcome.document(), outcome)
    assert (tmp_path / STYLESHEET).read_text() == stylesheet()
    assert json.loads((tmp_path / "result.json").read_text())["verb"] == "perf"
    assert ".verdict.fail" in stylesheet()


def test_perf_report_survives_a_baseline_it_cannot_draw():
    from tests.unit.perf.builders import perf_result

    from tritonship.present.perf_html import render_html

    baseline = {"verb": "perf", "levels": [{"label": "c1", "histogram": "not-hdr", "throughput": "x",
                                         "latency_ms": {"p50": 1}}, "junk"]}
    html = render_html(perf_result(), baseline)
    assert html.count("<svg") == 3 and 'class="baseline"' not in html
