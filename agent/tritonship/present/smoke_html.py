"""smoke's report.html: per model and protocol, with the server log excerpt of each failure (CSP-safe)."""

from __future__ import annotations

from html import escape

from tritonship.present.html_page import facts, log_block, mark, page, table
from tritonship.smoke.result import ModelReport, SmokeResult

PROTOCOL_LABEL = {"http": "HTTP", "grpc": "gRPC"}


def _cell(model: ModelReport, protocol: str) -> str:
    if model.state != "READY":
        return mark(False, "FAIL")
    checks = [c for c in model.checks if c.protocol in (protocol, "-")]
    if not checks:
        return "-"
    if any(c.problems for c in checks):
        return mark(False, "FAIL")
    if all(c.skipped for c in checks):
        return "skipped"
    return mark(True, f"ok ({sum(1 for c in checks if not c.skipped)})")


def _failure(model: ModelReport) -> str:
    problems = "".join(f"<li>{escape(p)}</li>" for p in model.problems)
    if model.state != "READY" and model.reason:
        problems = f"<li>{escape(model.state)}: {escape(model.reason)}</li>" + problems
    return (f"<h3>{escape(model.name)}</h3><ul>{problems}</ul>"
            + ("<p>server log:</p>" + log_block(model.log_lines) if model.log_lines else ""))


def render_html(result: SmokeResult, log_tail: str = "") -> str:
    body = [facts([("target", result.target), ("model image", result.model_image), ("server", result.server_version),
                   ("protocols", ", ".join(PROTOCOL_LABEL.get(p, p) for p in result.protocols)),
                   ("server log", result.log_path)])]
    if result.problems or result.gpu.problems:
        body.append("<h2>Problems</h2><ul>" + "".join(f"<li>{escape(p)}</li>" for p in
                                                       (*result.problems, *result.gpu.problems)) + "</ul>")
    head = ("model", "version", "kind", "state", *(PROTOCOL_LABEL.get(p, p) for p in result.protocols), "GPU memory")
    rows = [[escape(m.name), escape(m.version or "-"), escape(m.kind), mark(m.state == "READY", m.state),
             *(_cell(m, p) for p in result.protocols),
             f"{m.gpu_memory_bytes / 2**20:.0f} MiB" if m.gpu_memory_bytes is not None else "-"]
            for m in result.models]
    body.append("<h2>Models</h2>" + table(head, rows, left=4))
    failed = [m for m in result.models if not m.passed]
    if failed:
        body.append("<h2>Failures</h2>" + "".join(_failure(m) for m in failed))
        if log_tail and not any(m.log_lines for m in failed):
            body.append("<p>server log (tail):</p>" + log_block(log_tail.splitlines()[-40:]))
    return page(f"tritonship smoke: {result.target}", f"smoke: {result.subject}", result.passed, body,
                verdict="PASSED" if result.passed else "FAILED")
