"""The shell of every report.html: CSP-safe by construction.

Jenkins serves archived HTML with `sandbox; default-src 'none'; img-src 'self'; style-src 'self';`
(the HTML Publisher / DirectoryBrowserSupport default): inline `<style>`, `style=""` attributes and
scripts are dropped. So a page here has no inline styles and no scripts; its look comes from one
stylesheet, `report.css`, written beside it (same origin: allowed), and its charts are inline SVG
styled by presentation attributes and that stylesheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from html import escape
from importlib import resources

STYLESHEET = "report.css"


def stylesheet() -> str:
    return resources.files("tritonship.present").joinpath(STYLESHEET).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Provenance:
    """What a report measured: the commit, the image and when (shown on perf and promotion pages)."""

    commit: str | None = None
    image: str | None = None
    date: str | None = None
    model_image: str | None = None  # modelcar: the model image delivered into `image`


def provenance_now(environ, image: str | None = None, model_image: str | None = None) -> Provenance:
    """The commit Jenkins' git plugin exports (GIT_COMMIT), the image(s), and the time of this run (UTC)."""
    from datetime import datetime

    return Provenance(commit=environ.value("GIT_COMMIT"), image=image,
                      date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), model_image=model_image)


def page(title: str, heading: str, passed: bool | None, body: Iterable[str], verdict: str | None = None) -> str:
    """A whole document; `passed` None shows a neutral (warning-coloured) verdict."""
    badge = ""
    if verdict is not None:
        badge = f' <span class="verdict {verdict_class(passed)}" id="verdict">{escape(verdict)}</span>'
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="{STYLESHEET}"></head><body>'
            f"<h1>{escape(heading)}{badge}</h1>" + "".join(body) + "</body></html>\n")


def verdict_class(passed: bool | None) -> str:
    return "warn" if passed is None else ("pass" if passed else "fail")


def mark(passed: bool | None, text: str | None = None) -> str:
    shown = text if text is not None else {True: "pass", False: "FAIL", None: "warning"}[passed]
    return f'<span class="{verdict_class(passed)}">{escape(shown)}</span>'


def table(head: Sequence[str], rows: Iterable[Sequence[str]], left: int = 1) -> str:
    """Cells are HTML already (escape user text before); the first `left` columns are left-aligned."""
    def cell(tag: str, i: int, text: str) -> str:
        return f"<{tag} class=l>{text}</{tag}>" if i < left else f"<{tag}>{text}</{tag}>"

    out = ["<table><tr>", *(cell("th", i, escape(h)) for i, h in enumerate(head)), "</tr>"]
    for row in rows:
        out += ["<tr>", *(cell("td", i, c) for i, c in enumerate(row)), "</tr>"]
    out.append("</table>")
    return "".join(out)


def facts(pairs: Iterable[tuple[str, str | None]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs if v)
    return f'<dl class="facts">{items}</dl>' if items else ""


def provenance_facts(p: Provenance | None) -> list[tuple[str, str | None]]:
    return [] if p is None else [("commit", p.commit), ("image", p.image), ("date", p.date),
                                 ("model image", p.model_image)]


def log_block(lines: Sequence[str]) -> str:
    return f'<pre class="log">{escape(chr(10).join(lines))}</pre>' if lines else ""
