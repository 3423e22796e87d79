"""Tiny inline-SVG line charts: no scripts, no external assets (Jenkins' HTML publisher shows them as is)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 340, 64, 150, 16, 44


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    step = (hi - lo) / (count - 1)
    return [lo + i * step for i in range(count)]


def line_chart(series: Sequence[tuple[str, Sequence[tuple[float, float]]]], x_label: str, y_label: str,
               x_ticks: Sequence[tuple[float, str]] | None = None, title: str = "") -> str:
    """series: (name, [(x, y), ...]). Returns an <svg> element."""
    points = [p for _, pts in series for p in pts]
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

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" '
             f'aria-label="{escape(title)}" style="font:11px sans-serif">',
             f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fff" stroke="#999"/>']
    for y in _ticks(0.0, y_hi):
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#eee"/>'
                     f'<text x="{LEFT - 4}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
    for x, text in x_ticks or [(x, f"{x:.4g}") for x in _ticks(x_lo, x_hi)]:
        parts.append(f'<text x="{sx(x):.1f}" y="{TOP + ph + 14}" text-anchor="middle">{escape(text)}</text>')
    parts.append(f'<text x="{LEFT + pw / 2}" y="{H - 6}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(14,{TOP + ph / 2}) rotate(-90)" text-anchor="middle">'
                 f'{escape(y_label)}</text>')
    for i, (name, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"/>' for x, y in pts)
        ly = TOP + 14 + i * 16
        parts.append(f'<rect x="{W - RIGHT + 10}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{W - RIGHT + 24}" y="{ly}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
