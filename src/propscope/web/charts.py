"""Line charts as inline SVG, drawn here: no chart library, no script, no CDN.

Why our own: the workbench is offline and its Content-Security-Policy allows no
inline script; an SVG written on the server needs neither, prints, and is readable
without JavaScript.  Every label is escaped; numbers are formatted by us.  The chart
is decoration over a data table the page always shows beside it (screen readers and
copy-paste read the table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Okabe & Ito's colour-blind-safe palette (dark enough on white for lines).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "")
"""A dash pattern per line too, so lines differ without colour."""


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: Sequence[float | None]  # None: no data in that period (a gap)
    notes: Sequence[str] = ()       # per value, the tooltip text (escaped here)


@dataclass(frozen=True, slots=True)
class Marker:
    """A vertical mark at one x label (a change point), with its tooltip."""

    at: str
    note: str


def line_chart(x_labels: Sequence[str], lines: Sequence[Line], *, title: str,
               percent: bool = True, markers: Sequence[Marker] = (),
               width: int = 760, height: int = 300) -> Markup:
    """An ``<svg>`` with one polyline per line over ``x_labels``, y from 0 to the
    largest value, the x labels thinned to fit, change-point markers, and a legend."""
    left, right, top, bottom = 56, 40, 16, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for line in lines for v in line.values if v is not None]
    ceiling = _nice(max(values, default=0.0)) or 1.0
    n = len(x_labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / ceiling)

    legend_h = 20 * len(lines)
    out = [(f'<svg class="chart" role="img" viewBox="0 0 {width} {height + legend_h}"'
           f' width="100%" preserveAspectRatio="xMinYMin meet"'
           f' aria-label="{escape(title, quote=True)}">'),
           f"<title>{escape(title)}</title>"]
    for k in range(5):  # y grid and ticks
        v = ceiling * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}"'
                   ' stroke="#ddd" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end"'
                   f' font-size="11" fill="#333">{_fmt(v, percent)}</text>')
    step = max(1, -(-n // 12))
    for i, name in enumerate(x_labels):
        if i % step == 0 or i == n - 1:
            out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle"'
                       f' font-size="11" fill="#333">{escape(name)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#555"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}"'
               f' y2="{top + plot_h}" stroke="#555"/>')
    where = {name: i for i, name in enumerate(x_labels)}
    for mark in markers:
        if mark.at not in where:
            continue
        px = x(where[mark.at])
        out.append(f'<g class="change"><title>{escape(mark.note)}</title>'
                   f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{top + plot_h}"'
                   ' stroke="#b00020" stroke-width="2" stroke-dasharray="4 3"/>'
                   f'<text x="{px + 3:.1f}" y="{top + 10}" font-size="11"'
                   ' fill="#b00020">change</text></g>')
    for j, line in enumerate(lines):
        colour, dash = PALETTE[j % len(PALETTE)], DASHES[j % len(DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(line.values):  # a gap breaks the line
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            if len(run) > 1:
                out.append(f'<polyline class="series" fill="none" stroke="{colour}"'
                           f' stroke-width="2"{dashed} points="{points}"/>')
            for i, v in run:
                note = line.notes[i] if i < len(line.notes) else ""
                tip = f"{line.label} · {x_labels[i]}: {_fmt(v, percent)}"
                tip += f" ({note})" if note else ""
                out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                           f"<title>{escape(tip)}</title></circle>")
        ly = height + 20 * j + 4
        out.append(f'<line x1="{left}" x2="{left + 28}" y1="{ly}" y2="{ly}" stroke="{colour}"'
                   f' stroke-width="3"{dashed}/>'
                   f'<text x="{left + 36}" y="{ly + 4}" font-size="12" fill="#111">'
                   f"{escape(line.label)}</text>")
    out.append("</svg>")
    return Markup("".join(out))


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, v))
    return [r for r in runs if r]


def _nice(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``v`` (a round axis top)."""
    if v <= 0:
        return 0.0
    scale = 1.0
    while scale * 10 < v:
        scale *= 10
    while scale > v:
        scale /= 10
    for step in (1, 2, 2.5, 5, 10):
        if scale * step >= v:
            return scale * step
    return scale * 10


def _fmt(v: float, percent: bool) -> str:
    if percent:
        pct = round(v * 100, 1)
        return f"{pct:.0f}%" if pct == int(pct) else f"{pct:.1f}%"
    return f"{v:g}"
