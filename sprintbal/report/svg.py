"""Small inline-SVG chart helpers for the one-file HTML report (no plotting library, no network).

Every chart is a ``<svg>`` string with a ``viewBox`` so it scales with its container. Every piece of
text that goes into the SVG (labels, ``<title>`` tooltips, attributes) is HTML-escaped here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Plot area size in SVG user units (the SVG scales to its container).
WIDTH, HEIGHT = 480, 250
_MARGIN_L, _MARGIN_R, _MARGIN_T, _MARGIN_B = 52, 12, 14, 40


def esc(text: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(text), quote=True)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Return round tick values covering ``[lo, hi]`` (about ``n`` of them).

    Parameters
    ----------
    lo, hi : float
        Data range; ``hi > lo`` (a zero-width range is widened).
    n : int
        Wanted number of ticks.

    Returns
    -------
    list of float
        Increasing tick values, the first <= lo and the last >= hi.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        lo, hi = lo - 0.5 * (abs(lo) or 1.0), hi + 0.5 * (abs(hi) or 1.0)
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v < hi + step * 0.5:
        ticks.append(round(v, 12))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def fmt_tick(v: float) -> str:
    """Format a tick value compactly (``0.005``, ``-0.01``, ``1.5``)."""
    if v == 0:
        return "0"
    return f"{v:.3g}"


@dataclass(frozen=True)
class Series:
    """One line of a line chart.

    Attributes
    ----------
    name : str
        Legend text.
    y : ndarray, shape (T,)
        Values (NaN breaks the line).
    css : str
        CSS class giving colour and stroke (``s-push``, ``s-swing``...).
    tip_scale : float or None
        Multiplier for the SI value shown in tooltips (e.g. the normalisation factor); None: no SI value.
    tip_unit : str
        Unit of the SI tooltip value.
    """

    name: str
    y: np.ndarray
    css: str
    tip_scale: float | None = None
    tip_unit: str = ""


@dataclass(frozen=True)
class Band:
    """A shaded time span (a breakdown, a contact phase).

    Attributes
    ----------
    t0, t1 : float
        Span, seconds.
    css : str
        CSS class of the rectangle.
    label : str
        Short label drawn at its top ("" for none).
    title : str
        Tooltip text.
    """

    t0: float
    t1: float
    css: str
    label: str = ""
    title: str = ""


@dataclass(frozen=True)
class Strip:
    """A thin coloured strip under the plot area (e.g. which foot is on the ground).

    Attributes
    ----------
    spans : sequence of (t0, t1, css)
        Coloured spans.
    """

    spans: Sequence[tuple[float, float, str]] = field(default_factory=tuple)


def runs(t: np.ndarray, labels: Sequence[str]) -> list[tuple[float, float, str]]:
    """Split a per-frame label sequence into ``(t_start, t_end, label)`` runs.

    Each run extends half a frame interval either side of its frames, so adjacent runs touch.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Frame times, seconds, increasing.
    labels : sequence of str, length T
        Per-frame label.

    Returns
    -------
    list of (float, float, str)
        Runs in time order.
    """
    t = np.asarray(t, dtype=float)
    n = t.shape[0]
    if n == 0:
        return []
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0 / 30.0
    out: list[tuple[float, float, str]] = []
    start = 0
    for i in range(1, n + 1):
        if i == n or labels[i] != labels[start]:
            out.append((float(t[start]) - dt / 2, float(t[i - 1]) + dt / 2, str(labels[start])))
            start = i
    return out


def _finite_range(arrays: Sequence[np.ndarray]) -> tuple[float, float]:
    vals = [a[np.isfinite(a)] for a in arrays]
    vals = [v for v in vals if v.size]
    if not vals:
        return (-1.0, 1.0)
    allv = np.concatenate(vals)
    return float(allv.min()), float(allv.max())


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    parts: list[str] = []
    pen = False
    for x, y in zip(xs, ys, strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            pen = False
            continue
        parts.append(f"{'L' if pen else 'M'}{x:.1f},{y:.1f}")
        pen = True
    return "".join(parts)


def _svg_open(title: str, chart_id: str) -> str:
    """Return the opening ``<svg>`` tag of a chart with its accessible title (and ``id`` when given)."""
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(title)}"'
        + (f' id="{esc(chart_id)}"' if chart_id else "")
        + f' xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>'
    )


def _y_grid(ticks: Sequence[tuple[float, float]], x0: int, x1: int) -> list[str]:
    """Draw horizontal grid lines (the zero line styled apart) and y tick labels at ``(value, y pixel)`` pairs."""
    out = []
    for v, yy in ticks:
        cls = "zero" if v == 0 else "grid"
        out.append(f'<line class="{cls}" x1="{x0}" x2="{x1}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        out.append(f'<text class="tick" x="{x0 - 4}" y="{yy + 4:.1f}" text-anchor="end">{esc(fmt_tick(v))}</text>')
    return out


def _frame_and_labels(x0: int, x1: int, y0: int, y1: int, x_label: str, y_label: str) -> list[str]:
    """Draw the plot area's frame, the x-axis label under it and the rotated y-axis label left of it."""
    return [
        f'<rect class="frame" x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}"/>',
        f'<text class="axis-label" x="{(x0 + x1) / 2:.0f}" y="{HEIGHT - 4}" text-anchor="middle">{x_label}</text>',
        f'<text class="axis-label" transform="translate(11 {(y0 + y1) / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{esc(y_label)}</text>',
    ]


@dataclass(frozen=True)
class _TimeAxes:
    """Plot area (SVG units, whole numbers) and data ranges of a line chart: maps time and value to pixels."""

    x0: int
    x1: int
    y0: int
    y1: int
    tmin: float
    tmax: float
    lo: float
    hi: float

    def sx(self, v: np.ndarray | float) -> np.ndarray:
        """X pixel of time ``v``."""
        return self.x0 + (np.asarray(v, dtype=float) - self.tmin) / (self.tmax - self.tmin) * (self.x1 - self.x0)

    def sy(self, v: np.ndarray | float) -> np.ndarray:
        """Y pixel of value ``v``."""
        return self.y1 - (np.asarray(v, dtype=float) - self.lo) / (self.hi - self.lo) * (self.y1 - self.y0)


def _time_range(t: np.ndarray) -> tuple[float, float]:
    """First and last time (0..1 for no times; a zero-width range is widened to 1 s)."""
    tmin = float(np.nanmin(t)) if t.size else 0.0
    tmax = float(np.nanmax(t)) if t.size else 1.0
    if tmax <= tmin:
        tmax = tmin + 1.0
    return tmin, tmax


def _value_range(series: Sequence[Series], symmetric: bool, y_range: tuple[float, float] | None) -> tuple[float, float]:
    """Return the y range asked for: fixed, else the data's (symmetric about zero when asked)."""
    if y_range is not None:
        return y_range
    lo, hi = _finite_range([s.y for s in series])
    if symmetric:
        m = max(abs(lo), abs(hi)) or 1.0
        lo, hi = -m, m
    return lo, hi


def _band_rects(bands: Sequence[Band], ax: _TimeAxes) -> list[str]:
    """Shaded spans; a label only where it does not run into the previous one."""
    out = []
    last_label = -math.inf
    for b in bands:
        bx0 = float(np.clip(ax.sx(b.t0), ax.x0, ax.x1))
        bx1 = float(np.clip(ax.sx(b.t1), ax.x0, ax.x1))
        if bx1 - bx0 < 1.5:
            bx0, bx1 = bx0 - 0.75, bx1 + 0.75
        out.append(
            f'<rect class="{esc(b.css)}" x="{bx0:.1f}" y="{ax.y0}" width="{bx1 - bx0:.1f}" height="{ax.y1 - ax.y0}">'
            + (f"<title>{esc(b.title)}</title>" if b.title else "")
            + "</rect>"
        )
        if b.label and bx0 >= last_label + 7 * len(b.label) + 4:
            last_label = bx0
            out.append(f'<text class="band-label" x="{bx0 + 2:.1f}" y="{ax.y0 + 11}">{esc(b.label)}</text>')
    return out


def _time_grid(ax: _TimeAxes) -> list[str]:
    """Vertical grid lines and time tick labels inside the time range."""
    out = []
    for v in nice_ticks(ax.tmin, ax.tmax, 6):
        if v < ax.tmin - 1e-9 or v > ax.tmax + 1e-9:
            continue
        xx = float(ax.sx(v))
        out.append(f'<line class="grid" x1="{xx:.1f}" x2="{xx:.1f}" y1="{ax.y0}" y2="{ax.y1}"/>')
        out.append(
            f'<text class="tick" x="{xx:.1f}" y="{ax.y1 + 14}" text-anchor="middle">{esc(fmt_tick(v))}</text>'
        )
    return out


def _strip_rects(strip: Strip, ax: _TimeAxes) -> list[str]:
    """Draw the coloured spans of a strip under the plot area (spans outside the time range are dropped)."""
    out = []
    for s0, s1, css in strip.spans:
        a = float(np.clip(ax.sx(s0), ax.x0, ax.x1))
        b_ = float(np.clip(ax.sx(s1), ax.x0, ax.x1))
        if b_ > a:
            out.append(f'<rect class="{esc(css)}" x="{a:.1f}" y="{ax.y1 + 17}" width="{b_ - a:.1f}" height="5"/>')
    return out


def _series_paths(xs: np.ndarray, series: Sequence[Series], ax: _TimeAxes) -> list[str]:
    """One path per series (NaN breaks it), or a "no data" note when no series has a finite value."""
    out = []
    for s in series:
        d = _path(xs, ax.sy(np.asarray(s.y, dtype=float)))
        if d:
            out.append(f'<path class="line {esc(s.css)}" d="{d}"><title>{esc(s.name)}</title></path>')
    if not any(np.isfinite(np.asarray(s.y, dtype=float)).any() for s in series):
        out.append(
            f'<text class="tick" x="{(ax.x0 + ax.x1) / 2:.0f}" y="{(ax.y0 + ax.y1) / 2:.0f}" text-anchor="middle">'
            "no data</text>"
        )
    return out


def _tip(t_i: float, series: Sequence[Series], i: int) -> str:
    """Tooltip text at frame ``i``: the time and every series' value (SI value too where it has a scale)."""
    parts = [f"t = {t_i:.3f} s"]
    for s in series:
        v = float(s.y[i])
        if not math.isfinite(v):
            parts.append(f"{s.name}: —")
        elif s.tip_scale is not None:
            parts.append(f"{s.name}: {v:+.4f} ({v * s.tip_scale:+.3f} {s.tip_unit})")
        else:
            parts.append(f"{s.name}: {v:.3f}")
    return " · ".join(parts)


def _hover_columns(t: np.ndarray, xs: np.ndarray, series: Sequence[Series], ax: _TimeAxes, max_tips: int) -> list[str]:
    """Invisible full-height columns, at most ``max_tips`` of them, each with a tooltip of every series' value."""
    n = t.shape[0]
    if not n:
        return []
    out = []
    idx = np.unique(np.linspace(0, n - 1, min(n, max_tips)).round().astype(int))
    edges = np.concatenate([[ax.x0], (xs[idx][1:] + xs[idx][:-1]) / 2, [ax.x1]])
    for k, i in enumerate(idx):
        w = max(float(edges[k + 1] - edges[k]), 0.5)
        out.append(
            f'<rect class="hover" x="{edges[k]:.1f}" y="{ax.y0}" width="{w:.1f}" height="{ax.y1 - ax.y0}">'
            f"<title>{esc(_tip(t[i], series, i))}</title></rect>"
        )
    return out


def line_chart(
    t: np.ndarray,
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    bands: Sequence[Band] = (),
    strip: Strip | None = None,
    symmetric: bool = True,
    y_range: tuple[float, float] | None = None,
    chart_id: str = "",
    max_tips: int = 120,
) -> str:
    """Draw a time-series line chart as an inline SVG string.

    Parameters
    ----------
    t : ndarray, shape (T,)
        Time, seconds.
    series : sequence of Series
        Lines to draw (each ``y`` of shape (T,)).
    title : str
        Accessible title (``<title>`` of the SVG).
    y_label : str
        Y-axis label.
    bands : sequence of Band
        Shaded spans (drawn under the lines).
    strip : Strip or None
        Thin coloured strip under the plot area.
    symmetric : bool
        Make the y range symmetric about zero (for signed momenta).
    y_range : (float, float) or None
        Fixed y range; overrides ``symmetric``.
    chart_id : str
        ``id`` of the SVG element.
    max_tips : int
        At most this many hover columns carrying a tooltip with every series' value.

    Returns
    -------
    str
        ``<svg>`` markup.
    """
    t = np.asarray(t, dtype=float)
    tmin, tmax = _time_range(t)
    lo, hi = _value_range(series, symmetric, y_range)
    yt = nice_ticks(lo, hi, 5)
    ax = _TimeAxes(_MARGIN_L, WIDTH - _MARGIN_R, _MARGIN_T, HEIGHT - _MARGIN_B, tmin, tmax, yt[0], yt[-1])
    xs = ax.sx(t)
    out: list[str] = [_svg_open(title, chart_id)]
    out += _band_rects(bands, ax)  # bands under everything
    out += _y_grid([(v, float(ax.sy(v))) for v in yt], ax.x0, ax.x1)
    out += _time_grid(ax)
    out += _frame_and_labels(ax.x0, ax.x1, ax.y0, ax.y1, "time (s)", y_label)
    if strip is not None:
        out += _strip_rects(strip, ax)
    out += _series_paths(xs, series, ax)
    out += _hover_columns(t, xs, series, ax, max_tips)
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart.

    Attributes
    ----------
    label : str
        Category label under the bar (e.g. the step number).
    value : float
        Bar height (NaN: no bar, "—" shown).
    css : str
        CSS class (colour).
    title : str
        Tooltip.
    """

    label: str
    value: float
    css: str
    title: str = ""


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    y_label: str,
    y_range: tuple[float, float] | None = None,
    chart_id: str = "",
    legend: Sequence[tuple[str, str]] = (),
) -> str:
    """Draw a vertical bar chart as an inline SVG string.

    Parameters
    ----------
    bars : sequence of Bar
        Bars, left to right.
    title : str
        Accessible title.
    y_label : str
        Y-axis label.
    y_range : (float, float) or None
        Fixed y range (default: 0 to the largest value).
    chart_id : str
        ``id`` of the SVG element.
    legend : sequence of (css, text)
        Legend entries drawn at the top right.

    Returns
    -------
    str
        ``<svg>`` markup.
    """
    x0, x1 = _MARGIN_L, WIDTH - _MARGIN_R
    y0, y1 = _MARGIN_T + (12 if legend else 0), HEIGHT - _MARGIN_B
    vals = np.array([b.value for b in bars], dtype=float)
    if y_range is None:
        hi = float(np.nanmax(vals)) if np.isfinite(vals).any() else 1.0
        lo = min(0.0, float(np.nanmin(vals)) if np.isfinite(vals).any() else 0.0)
        y_range = (lo, hi if hi > lo else lo + 1.0)
    yt = nice_ticks(y_range[0], y_range[1], 5)
    lo, hi = yt[0], yt[-1]

    def sy(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)

    out: list[str] = [_svg_open(title, chart_id)]
    out += _y_grid([(v, sy(v)) for v in yt], x0, x1)
    n = max(len(bars), 1)
    slot = (x1 - x0) / n
    bw = max(min(slot * 0.7, 40.0), 1.0)
    every = max(1, math.ceil(n / 24))
    for k, b in enumerate(bars):
        cx = x0 + slot * (k + 0.5)
        if k % every == 0:
            out.append(f'<text class="tick" x="{cx:.1f}" y="{y1 + 14}" text-anchor="middle">{esc(b.label)}</text>')
        if not math.isfinite(b.value):
            out.append(f'<text class="tick muted" x="{cx:.1f}" y="{y1 - 4}" text-anchor="middle">—</text>')
            continue
        top, base = sy(max(b.value, lo)), sy(max(min(0.0, hi), lo))
        ya, yb = min(top, base), max(top, base)
        out.append(
            f'<rect class="bar {esc(b.css)}" x="{cx - bw / 2:.1f}" y="{ya:.1f}" width="{bw:.1f}" '
            f'height="{max(yb - ya, 0.5):.1f}"><title>{esc(b.title or f"{b.label}: {b.value:.3g}")}</title></rect>'
        )
    out += _frame_and_labels(x0, x1, y0, y1, "step", y_label)
    lx = float(x1)
    for css, text in reversed(list(legend)):
        w = 14 + 6.2 * len(text)
        lx -= w
        out.append(f'<rect class="{esc(css)}" x="{lx:.0f}" y="{_MARGIN_T - 9}" width="10" height="10"/>')
        out.append(f'<text class="tick" x="{lx + 13:.0f}" y="{_MARGIN_T}">{esc(text)}</text>')
    out.append("</svg>")
    return "".join(out)
