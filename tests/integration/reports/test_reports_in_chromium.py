"""Each verb's report.html in a real browser under Jenkins' default CSP for archived HTML.

A tiny local HTTP server sends every response with the header Jenkins' DirectoryBrowserSupport uses
by default (`sandbox; default-src 'none'; img-src 'self'; style-src 'self';`); headless Chromium
(Debian's `chromium`) loads the report, writes a screenshot (kept under the pytest tmp dir as an
artifact) and the DOM. The coloured verdict badge exists only when report.css applies, so its pixels
prove the computed styles; the dumped DOM must hold the report's SVG charts. Two controls show the
check can fail: the same page without its stylesheet, and an inline-styled page the CSP must blank.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.integration.reports.png import count_near, pixels
from tests.unit.present.report_samples import perf_html, promote_html, smoke_html, validate_html

from tritonship.present.common import Outcome, write_reports

pytestmark = pytest.mark.integration

JENKINS_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'self';"
RED, GREEN = (0xCF, 0x22, 0x2E), (0x1A, 0x7F, 0x37)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# verb -> (page, verdict colour, SVG charts expected)
CASES = {"validate": (validate_html, RED, 0), "smoke": (smoke_html, RED, 0),
         "perf": (functools.partial(perf_html, passed=True), GREEN, 3), "promote": (promote_html, RED, 1)}


class _CspHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", JENKINS_CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, *args) -> None:  # keep pytest output clean
        return None


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_CspHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _chromium(tmp_path: Path, url: str, *args: str) -> str:
    if CHROMIUM is None:
        pytest.skip("Debian package `chromium` is not installed (make setup installs it)")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1200,1400", *args, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _verdict_pixels(tmp_path: Path, url: str, name: str, colour) -> int:
    shot = tmp_path / f"{name}.png"  # a test artifact: look at it when this fails
    _chromium(tmp_path, url, f"--screenshot={shot}")
    return count_near(pixels(shot)[:80], colour)  # the heading band, where the badge sits


def _publish(root: Path, verb: str, html: str) -> None:
    outcome = Outcome(verb, "passed", 0, {}, html=html)
    write_reports(root / verb, outcome.document(), outcome)


@pytest.mark.parametrize("verb", sorted(CASES))
def test_report_styles_and_charts_survive_jenkins_csp(served, tmp_path, verb):
    root, base = served
    make, colour, charts = CASES[verb]
    _publish(root, verb, make())
    assert _verdict_pixels(tmp_path, f"{base}/{verb}/report.html", verb, colour) > 300
    dom = _chromium(tmp_path, f"{base}/{verb}/report.html", "--dump-dom")
    assert dom.count("<svg") == charts and 'id="verdict"' in dom


def test_controls_without_stylesheet_or_with_inline_style_show_no_badge(served, tmp_path):
    root, base = served
    _publish(root, "bare", promote_html())
    (root / "bare" / "report.css").unlink()
    assert _verdict_pixels(tmp_path, f"{base}/bare/report.html", "bare", RED) == 0
    inline = promote_html().replace('<link rel="stylesheet" href="report.css">',
                                    "<style>.verdict{background:#cf222e;color:#fff}</style>")
    (root / "inline.html").write_text(inline)
    assert _verdict_pixels(tmp_path, f"{base}/inline.html", "inline", RED) == 0
    (root / "inline-nocsp.html").write_text(inline)  # the same inline page, file:// without the header: red
    assert _verdict_pixels(tmp_path, (root / "inline-nocsp.html").as_uri(), "inline-nocsp", RED) > 300
