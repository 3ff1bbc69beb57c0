"""Number formats and inline SVG charts for reports: score bars, sparklines, trend charts.

Charts are plain SVG strings (no JavaScript, no external file), so a report stays one
self-contained file and prints as it shows.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Iterable, Sequence

from markupsafe import Markup

from .results import Report

#: Line colours for dimensions in trend charts (colour-blind-safe, Okabe–Ito), with dash patterns
#: so that the lines stay apart in greyscale print.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4"]


# --------------------------------------------------------------------------- helpers for templates


def fmt_score(value: float | None, digits: int = 1) -> str:
    """A score as shown to people: one decimal, or an en dash when there is none."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value):,}"


def fmt_signed(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+.1f}"


def md_code(text: object) -> str:
    """A Markdown code span for file names and ids: nothing in it is interpreted."""
    s = " ".join(str(text).split()).replace("`", "'").replace("|", "\\|")
    return f"`{s}`"


def fmt_alpha(value: float | None, note: str = "") -> str:
    """Alpha to three decimals; without one, the reason (``note``) or an en dash."""
    if value is None:
        return note.split(":")[0] if note else "–"
    return f"{value:.3f}"


def _points(values: Sequence[float | None], width: float, height: float, pad: float, lo: float = 0, hi: float = 100):
    n = len(values)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0
    out = []
    for i, v in enumerate(values):
        x = pad + i * step if n > 1 else width / 2
        y = None if v is None else pad + (height - 2 * pad) * (1 - (max(lo, min(hi, v)) - lo) / (hi - lo))
        out.append((round(x, 2), None if y is None else round(y, 2)))
    return out


def _segments(pts):
    segs, cur = [], []
    for x, y in pts:
        if y is None:
            if cur:
                segs.append(cur)
            cur = []
        else:
            cur.append((x, y))
    if cur:
        segs.append(cur)
    return segs


def _label(values: Sequence[float | None]) -> str:
    return ", ".join(fmt_score(v) if v is not None else "no score" for v in values)


#: Colour of the marker of a session with insufficient evidence (the reports' warning colour).
NO_SCORE_COLOR = "#b35900"


def sparkline(values: Sequence[float | None], *, width: int = 120, height: int = 28, color: str = PALETTE[0]) -> Markup:
    """A small inline SVG line of scores (0–100). A session without a score (insufficient
    evidence) breaks the line and gets a hollow marker on the baseline, so that the gap is seen."""
    pts = _points(values, width, height, 3)
    parts = [f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="scores: {_label(values)}">']
    parts.append(f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" stroke="#d0d7de" stroke-width="1"/>')
    for seg in _segments(pts):
        if len(seg) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{" ".join(f"{x},{y}" for x, y in seg)}"/>')
    for i, (x, y) in enumerate(pts):
        if y is not None:
            r = 2.6 if i == len(pts) - 1 else 1.6
            parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{color}"/>')
        else:
            parts.append(f'<circle class="no-score" cx="{x}" cy="{height - 4}" r="2.6" fill="#fff" stroke="{NO_SCORE_COLOR}" stroke-width="1.4"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar(score: float | None, *, width: int = 260, height: int = 16, marks: Iterable[float] = ()) -> Markup:
    """A horizontal bar for a 0–100 score, with ticks at the readiness thresholds."""
    parts = [f'<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{"score " + fmt_score(score) if score is not None else "no score: insufficient evidence"}">']
    parts.append(f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#f6f8fa" stroke="#d0d7de"/>')
    if score is not None:
        w = round(width * max(0.0, min(100.0, score)) / 100, 2)
        parts.append(f'<rect x="0" y="0" width="{w}" height="{height}" fill="#00796b"/>')
    else:
        parts.append(f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fdf2e3" stroke="#b35900" stroke-dasharray="3 2"/>')
    for m in marks:
        if 0 < m < 100:
            x = round(width * m / 100, 2)
            parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#1b1f23" stroke-width="1" stroke-dasharray="2 2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


#: Room for a date label ("26 Oct") at font size 10, with a little to spare for wider fonts.
_DATE_LABEL_WIDTH = 40


def trend_chart(dates: Sequence[_dt.date], series: Sequence[Sequence[float | None]], *, width: int = 640, height: int = 220) -> Markup:
    """Dimension scores (0–100) across sessions: one line per series, dates along the bottom."""
    left, bottom, top, right = 34, 26, 8, 12
    inner_w, inner_h = width - left - right, height - top - bottom
    n = len(dates)

    def x_at(i):
        return round(left + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 2)

    def y_at(v):
        return round(top + inner_h * (1 - max(0.0, min(100.0, v)) / 100), 2)

    span = f", {dates[0].isoformat()} to {dates[-1].isoformat()}" if n > 1 else ""
    parts = [f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="trend of dimension scores over {n} sessions{span}">']
    for g in (0, 25, 50, 75, 100):
        y = y_at(g)
        parts.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3}" text-anchor="end" font-size="10" fill="#57606a">{g}</text>')
    # At most about eight dates; the last one always, drawn to end at its point so that it stays
    # inside the chart (centred, "26 Oct" ran past the right edge), and the one before it dropped
    # when the two would touch. The first date is centred: the left padding leaves room for it.
    every = max(1, math.ceil(n / 8))
    shown = list(range(0, n, every))
    if shown and shown[-1] != n - 1:
        if x_at(n - 1) - x_at(shown[-1]) < 1.5 * _DATE_LABEL_WIDTH:
            shown.pop()
        shown.append(n - 1)
    for i in shown:
        anchor = "end" if n > 1 and i == n - 1 else "middle"
        parts.append(f'<text x="{x_at(i)}" y="{height - 8}" text-anchor="{anchor}" font-size="10" fill="#57606a">{dates[i].strftime("%d %b")}</text>')
    for k, values in enumerate(series):
        color, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
        pts = [(x_at(i), None if v is None else y_at(v)) for i, v in enumerate(values)]
        for seg in _segments(pts):
            if len(seg) > 1:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash_attr} points="{" ".join(f"{x},{y}" for x, y in seg)}"/>')
        for x, y in pts:
            if y is not None:
                parts.append(f'<circle cx="{x}" cy="{y}" r="2.8" fill="{color}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def report_trend(report: Report) -> Markup:
    """The trend chart of a pod report: the overall score first, then each dimension."""
    dates = [s.date for s in report.sessions]
    series = [[p.score for p in report.overall.series]] + [[p.score for p in d.series] for d in report.dimensions]
    return trend_chart(dates, series)


def swatch(k: int) -> Markup:
    color, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return Markup(f'<svg class="swatch" xmlns="http://www.w3.org/2000/svg" width="26" height="10" viewBox="0 0 26 10" aria-hidden="true"><line x1="1" y1="5" x2="25" y2="5" stroke="{color}" stroke-width="2.4"{dash_attr}/></svg>')


def heat_class(score: float | None) -> str:
    """CSS class of a heatmap cell: five bands of 20 points, or ``h-na`` without a score."""
    if score is None:
        return "h-na"
    return f"h{min(4, int(score // 20))}"
