"""Self-contained SVG plots (no scripts, no external assets, every text label escaped): scatter, heat map."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

import numpy as np

from alignscope.analysis.meta import MetaAnalysis, label

_FONT = 'font-family="sans-serif" font-size="11"'


def _text(x: float, y: float, content: str, *, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {_FONT}{" " + extra if extra else ""}>'
        f"{escape(str(content))}</text>"
    )


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks covering [low, high]."""
    if not high > low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if m * step >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [first + k * step for k in range(int((high - first) / step + 1e-9) + 1)]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _fit_segment(
    xs: np.ndarray, ys: np.ndarray, y_range: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """End points of the least-squares line over the data's x range, cut to ``y_range``; None if undefined."""
    if xs.size < 2 or np.ptp(xs) == 0:
        return None
    slope, intercept = np.polyfit(xs, ys, 1)
    x0, x1 = float(xs.min()), float(xs.max())
    if slope != 0:
        ends = sorted(((y_range[0] - intercept) / slope, (y_range[1] - intercept) / slope))
        x0, x1 = max(x0, ends[0]), min(x1, ends[1])
    if x0 >= x1:
        return None
    return (x0, slope * x0 + intercept), (x1, slope * x1 + intercept)


def _open(width: float, height: float, title: str, title_y: float = 20) -> list[str]:
    """The opening <svg> element, its accessible <title> and the visible bold title."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">',
        f"<title>{escape(title)}</title>",
        _text(width / 2, title_y, title, extra='font-weight="bold"'),
    ]


def _y_axis(
    left: float, top: float, ph: float, label: str, ticks: Sequence[float], py: Callable[[float], float]
) -> list[str]:
    """The rotated y-axis label and the y ticks with their numbers."""
    parts = [_text(14, top + ph / 2, label, extra=f'transform="rotate(-90 14 {top + ph / 2:.1f})"')]
    for tick in ticks:
        parts.append(
            f'<line x1="{left - 4}" y1="{py(tick):.1f}" x2="{left}" y2="{py(tick):.1f}" stroke="#888"/>'
        )
        parts.append(_text(left - 6, py(tick) + 4, _fmt(tick), anchor="end"))
    return parts


def scatter_svg(
    x: Sequence[float],
    y: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    title: str,
    x_label: str,
    y_label: str,
    fit_line: bool = True,
    width: int = 420,
    height: int = 320,
) -> str:
    """Scatter plot of finite (x, y) pairs, each point titled with its label, plus the least-squares line."""
    width = max(width, int(6.5 * len(title)) + 20)
    xs, ys = np.asarray(x, float), np.asarray(y, float)
    names = list(labels) if labels is not None else [""] * len(xs)
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys, names = xs[keep], ys[keep], [n for n, k in zip(names, keep, strict=True) if k]
    left, right, top, bottom = 60, 16, 34, 46
    pw, ph = width - left - right, height - top - bottom
    x_lo, x_hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 1.0)
    y_lo, y_hi = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
    x_pad, y_pad = (x_hi - x_lo) * 0.05 or 0.5, (y_hi - y_lo) * 0.05 or 0.5
    x_lo, x_hi, y_lo, y_hi = x_lo - x_pad, x_hi + x_pad, y_lo - y_pad, y_hi + y_pad

    def px(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * pw

    def py(v: float) -> float:
        return top + ph - (v - y_lo) / (y_hi - y_lo) * ph

    parts = [
        *_open(width, height, title),
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#888"/>',
        _text(left + pw / 2, height - 8, x_label),
        *_y_axis(left, top, ph, y_label, _ticks(y_lo, y_hi), py),
    ]
    for tick in _ticks(x_lo, x_hi):
        parts.append(
            f'<line x1="{px(tick):.1f}" y1="{top + ph}" x2="{px(tick):.1f}" y2="{top + ph + 4}" '
            'stroke="#888"/>'
        )
        parts.append(_text(px(tick), top + ph + 16, _fmt(tick)))
    segment = _fit_segment(xs, ys, (y_lo, y_hi)) if fit_line else None
    if segment is not None:
        (x0, y0), (x1, y1) = segment
        parts.append(
            f'<line class="fit" x1="{px(x0):.1f}" y1="{py(y0):.1f}" x2="{px(x1):.1f}" y2="{py(y1):.1f}" '
            'stroke="#c0392b" stroke-width="1.5"/>'
        )
    for xv, yv, name in zip(xs, ys, names, strict=True):
        tip = f"{name}: ({_fmt(xv)}, {_fmt(yv)})" if name else f"({_fmt(xv)}, {_fmt(yv)})"
        parts.append(
            f'<circle class="point" cx="{px(xv):.1f}" cy="{py(yv):.1f}" r="3.5" fill="#2e86c1" '
            f'fill-opacity="0.8"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _diverging(value: float) -> str:
    """White at 0, red towards +1, blue towards -1; grey for missing."""
    if not np.isfinite(value):
        return "#dddddd"
    v = max(-1.0, min(1.0, value))
    end = (192, 57, 43) if v > 0 else (41, 128, 185)
    mix = [round(255 + (c - 255) * abs(v)) for c in end]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def heatmap_svg(
    values: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    marks: Sequence[Sequence[bool]] | None = None,
    cell: int = 54,
) -> str:
    """Heat map of values in [-1, 1] (correlations), each cell printed ('*' where ``marks``) and titled."""
    grid = np.asarray(values, float)
    marked = np.zeros(grid.shape, bool) if marks is None else np.asarray(marks, bool)
    if grid.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"values are {grid.shape}, labels {len(row_labels)} x {len(col_labels)}")
    left = 12 + 7 * max((len(str(r)) for r in row_labels), default=4)
    top = 40 + 6 * max((len(str(c)) for c in col_labels), default=4)
    overhang = 5 * max((len(str(c)) for c in col_labels), default=4)
    width = max(left + cell * len(col_labels) + 16 + overhang, 7 * len(title) + 20)
    height = top + cell * len(row_labels) + 16
    parts = _open(width, height, title, title_y=18)
    for j, col in enumerate(col_labels):
        cx = left + cell * j + cell / 2
        parts.append(
            _text(cx, top - 6, col, anchor="start", extra=f'transform="rotate(-45 {cx:.1f} {top - 6})"')
        )
    for i, row in enumerate(row_labels):
        cy = top + cell * i + cell / 2
        parts.append(_text(left - 6, cy + 4, row, anchor="end"))
        for j, col in enumerate(col_labels):
            value = grid[i, j]
            shown = (f"{value:+.2f}" if np.isfinite(value) else "n/a") + ("*" if marked[i, j] else "")
            x0, y0 = left + cell * j, top + cell * i
            tip = escape(f"{row} x {col}: {shown}")
            parts.append(
                f'<rect class="cell" x="{x0}" y="{y0}" width="{cell}" height="{cell}" '
                f'fill="{_diverging(value)}" stroke="#fff"><title>{tip}</title></rect>'
            )
            parts.append(_text(x0 + cell / 2, y0 + cell / 2 + 4, shown))
    parts.append("</svg>")
    return "\n".join(parts)


def meta_analysis_scatter_svgs(meta: MetaAnalysis) -> dict[tuple[str, str], str]:
    """One scatter per (judge, concrete) pair with an estimate: judge vs concrete score, fitted line,
    Pearson r in the title. Pairs without one (too few models, a score that never varies) get no plot."""
    plots = {}
    for judge in meta.judges:
        for conc in meta.concrete:
            row = meta.get(judge, conc, "pearson")
            if not np.isfinite(row.estimate):
                continue
            title = f"{label(judge)} vs {label(conc)}: r = {row.estimate:+.2f} (n = {row.n})"
            plots[(judge, conc)] = scatter_svg(
                meta.scores[conc],
                meta.scores[judge],
                labels=[str(m) for m in meta.scores.index],
                title=title,
                x_label=label(conc),
                y_label=label(judge),
            )
    return plots


def meta_analysis_heatmap_svg(meta: MetaAnalysis, method: str = "spearman") -> str:
    """Heat map of the judges x concrete correlation matrix for ``method``; '*' where the CI excludes 0."""
    matrix = meta.matrix(method)
    rows = meta.table[meta.table.method == method]
    excludes_zero = (rows.models_ci_low > 0) | (rows.models_ci_high < 0)
    marks = rows.assign(mark=excludes_zero).pivot(index="judge", columns="concrete", values="mark")
    pct = f"{meta.level * 100:g}%"
    return heatmap_svg(
        matrix.to_numpy(float),
        [label(j) for j in matrix.index],
        [label(c) for c in matrix.columns],
        title=f"{method.capitalize()} correlation across models (* {pct} CI over models excludes 0)",
        marks=marks.loc[matrix.index, matrix.columns].to_numpy(bool),
    )


PALETTE = ("#2e86c1", "#c0392b", "#27ae60", "#e67e22", "#8e44ad", "#16a085", "#d35400", "#7f8c8d")


def bar_chart_svg(
    groups: Sequence[str],
    series: Mapping[str, tuple[Sequence[float], Sequence[float], Sequence[float]]],
    *,
    title: str,
    y_label: str,
    reference: float | None = None,
    width: int | None = None,
    height: int = 320,
) -> str:
    """Grouped vertical bars with error bars: ``series`` maps a name to (values, lows, highs), one per group.

    Missing values (NaN) draw no bar; ``reference`` draws a dashed horizontal line (e.g. 50% for win rates).
    """
    names = list(series)
    for name in names:
        if any(len(part) != len(groups) for part in series[name]):
            raise ValueError(f"series {name!r} needs one value, low and high per group ({len(groups)})")
    values = np.array([list(part) for name in names for part in series[name]], float)
    finite = values[np.isfinite(values)]
    lo = min(0.0, float(finite.min())) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    if reference is not None:
        lo, hi = min(lo, reference), max(hi, reference)
    hi = hi if hi > lo else lo + 1.0
    ticks = _ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    bar = 14
    longest = max((len(str(g)) for g in groups), default=1)
    group_w = max(bar * len(names) + 18, 6.5 * longest + 10)
    left, right, top = 56, 16, 34
    legend_h = 16 * ((len(names) + 2) // 3)
    bottom = 40 + legend_h
    width = width or int(max(360, left + right + group_w * len(groups), 6.5 * len(title) + 20))
    ph = height - top - bottom
    pw = width - left - right
    group_w = pw / max(len(groups), 1)

    def py(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    parts = [
        *_open(width, height, title),
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#888"/>',
        *_y_axis(left, top, ph, y_label, ticks, py),
    ]
    if reference is not None:
        parts.append(
            f'<line class="reference" x1="{left}" y1="{py(reference):.1f}" x2="{left + pw}" '
            f'y2="{py(reference):.1f}" stroke="#555" stroke-dasharray="4 3"/>'
        )
    base = py(max(lo, 0.0))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar * len(names)) / 2
        parts.append(_text(left + (g + 0.5) * group_w, top + ph + 16, group))
        for s, name in enumerate(names):
            value, low, high = (float(series[name][k][g]) for k in range(3))
            if not np.isfinite(value):
                continue
            x = x0 + s * bar
            y_top, y_bottom = sorted((py(value), base))
            tip = f"{name}, {group}: {_fmt(value)}"
            if np.isfinite(low) and np.isfinite(high):
                tip += f" ({_fmt(low)} to {_fmt(high)})"
            parts.append(
                f'<rect class="bar" x="{x + 1:.1f}" y="{y_top:.1f}" width="{bar - 2}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if np.isfinite(low) and np.isfinite(high):
                cx = x + bar / 2
                parts.append(
                    f'<line class="errorbar" x1="{cx:.1f}" y1="{py(low):.1f}" x2="{cx:.1f}" '
                    f'y2="{py(high):.1f}" stroke="#222"/>'
                )
                for end in (low, high):
                    parts.append(
                        f'<line x1="{cx - 3:.1f}" y1="{py(end):.1f}" x2="{cx + 3:.1f}" y2="{py(end):.1f}" '
                        'stroke="#222"/>'
                    )
    for s, name in enumerate(names):
        lx = left + (s % 3) * (pw / 3)
        ly = top + ph + 30 + 16 * (s // 3)
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
        )
        parts.append(_text(lx + 14, ly, name, anchor="start"))
    parts.append("</svg>")
    return "\n".join(parts)
