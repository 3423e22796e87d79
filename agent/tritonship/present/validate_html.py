"""validate's report.html: the verdict, the repository digest, and the findings per model (CSP-safe)."""

from __future__ import annotations

from html import escape

from tritonship.present.html_page import facts, mark, page, table
from tritonship.repository.lint import LintResult

_SEVERITY = {"error": False, "warning": None}


def render_html(result: LintResult, strict: bool, grouped: dict) -> str:
    """`grouped`: findings per model as present.validate.group returns them (every model appears)."""
    passed = result.passed(strict)
    counts = result.counts
    digest = result.digest
    body = [facts([("repository", str(result.repository)), ("models", str(len(result.models))),
                   ("digest", f"sha256:{digest.sha256}" if digest else None),
                   ("findings", f"{counts['error']} error(s), {counts['warning']} warning(s), "
                                f"{counts['note']} note(s)"),
                   ("strict", "yes: warnings fail" if strict else None)])]
    rows = []
    for name, findings in grouped.items():
        if not findings:
            rows.append([escape(name), mark(True, "ok"), "", "", ""])
        for f in findings:
            severity = mark(_SEVERITY.get(f.severity, True), f.severity) if f.severity != "note" else \
                f'<span class="note">{escape(f.severity)}</span>'
            rows.append([escape(name), severity, escape(f.rule), escape(f.where),
                         f"{escape(f.message)}<br>hint: {escape(f.hint)}"])
    body.append("<h2>Findings per model</h2>" + table(("model", "severity", "rule", "where", "message"), rows, left=5))
    return page(f"tritonship validate: {result.repository.name}", f"validate: {result.repository.name}", passed,
                body, verdict="PASSED" if passed else "FAILED")
