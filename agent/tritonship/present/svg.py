"""Inline-SVG charts: no scripts, no inline `style` (Jenkins' CSP drops both), only presentation
attributes and classes from report.css, so they render with `default-src 'none'`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
W, H, LEFT, RIGHT, TOP, BOTTOM = 900, 440, 70, 190, 20, 50
FONT = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]
    labels: Sequence[str] = ()  # one per point, drawn beside it (e.g. the concurrency)
    dashed: bool = False  # a baseline overlay
    colour: str | None = None


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    step = (hi - lo) / (count - 1)
    return [lo + i * step for i in range(count)]


def _open(title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{W}" height="{H}" '
            f'viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" {FONT}>',
            f"<title>{escape(title)}</title>",
            f'<rect class="frame" x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" '
            'fill="#fff" stroke="#999"/>']


def _axes(parts: list[str], sy, y_hi: float, x_label: str, y_label: str) -> None:
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    for y in _ticks(0.0, y_hi):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + pw}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
                     f'stroke="#eee"/><text x="{LEFT - 4}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
    parts.append(f'<text x="{LEFT + pw / 2}" y="{H - 8}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(16,{TOP + ph / 2}) rotate(-90)" text-anchor="middle">'
                 f"{escape(y_label)}</text>")


def _legend(parts: list[str], i: int, name: str, colour: str) -> None:
    ly = TOP + 14 + i * 18
    parts.append(f'<rect x="{W - RIGHT + 12}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
                 f'<text x="{W - RIGHT + 30}" y="{ly}">{escape(name)}</text>')


def line_chart(series: Sequence[Series], x_label: str, y_label: str,
               x_ticks: Sequence[tuple[float, str]] | None = None, title: str = "") -> str:
    """One <svg>: each series a polyline with dots, optional per-point labels, dashed for a baseline."""
    points = [p for s in series for p in s.points]
    if not points:
        return "<p>(no data)</p>"
    x_lo, x_hi = min(p[0] for p in points), max(p[0] for p in points)
    y_hi = max(p[1] for p in points) * 1.1 or 1.0
    x_hi = x_hi if x_hi > x_lo else x_lo + 1.0
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - x_lo) / (x_hi - x_lo) * pw

    def sy(y: float) -> float:
        return TOP + ph - y / y_hi * ph

    parts = _open(title)
    _axes(parts, sy, y_hi, x_label, y_label)
    for x, text in x_ticks or [(x, f"{x:.4g}") for x in _ticks(x_lo, x_hi)]:
        parts.append(f'<text x="{sx(x):.1f}" y="{TOP + ph + 16}" text-anchor="middle">{escape(text)}</text>')
    for i, s in enumerate(series):
        colour = s.colour or COLOURS[i % len(COLOURS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s.points)
        dash = ' class="baseline" stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<polyline{dash} fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{colour}"/>' for x, y in s.points)
        parts.extend(f'<text class="point" x="{sx(x) + 5:.1f}" y="{sy(y) - 6:.1f}" font-size="10">{escape(label)}'
                     "</text>" for (x, y), label in zip(s.points, s.labels, strict=False))
        _legend(parts, i, s.name + (" (baseline)" if s.dashed else ""), colour)
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(categories: Sequence[str], stacks: Sequence[tuple[str, Sequence[float]]],
                 y_label: str, title: str = "") -> str:
    """Vertical bars, one per category, each split into the named parts (e.g. queue / compute)."""
    totals = [sum(values[i] for _, values in stacks) for i in range(len(categories))]
    if not categories or max(totals, default=0.0) <= 0:
        return "<p>(no data)</p>"
    y_hi = max(totals) * 1.1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = pw / len(categories)
    bar = min(60.0, slot * 0.6)

    def sy(y: float) -> float:
        return TOP + ph - y / y_hi * ph

    parts = _open(title)
    _axes(parts, sy, y_hi, "load level", y_label)
    for i, category in enumerate(categories):
        x, base = LEFT + slot * i + (slot - bar) / 2, 0.0
        for k, (_, values) in enumerate(stacks):
            top = base + values[i]
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{sy(top):.1f}" width="{bar:.1f}" '
                         f'height="{sy(base) - sy(top):.1f}" fill="{COLOURS[k % len(COLOURS)]}"/>')
            base = top
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + ph + 16}" text-anchor="middle">{escape(category)}</text>')
    for k, (name, _) in enumerate(stacks):
        _legend(parts, k, name, COLOURS[k % len(COLOURS)])
    parts.append("</svg>")
    return "".join(parts)
