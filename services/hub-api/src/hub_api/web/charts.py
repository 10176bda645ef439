"""The overview's chart, drawn on the server as inline SVG: no script, no library, no request.

Two panels share the time axis: products per store after each finished sync (a line per store),
and each sync's duration (a bar, red when the sync failed). Text beside the chart (a table) says
the same for screen readers and for anyone who prefers numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from markupsafe import Markup, escape

from g4hub_core.dashboard.schemas import TrendPoint

__all__ = ["trend_chart"]

WIDTH, PANEL, GAP, LEFT, RIGHT, TOP = 640, 120, 44, 56, 12, 22
_COLOURS = ("#2952cc", "#1d7a46", "#8a5a00", "#7a3db8", "#0e7490", "#b42318")


def _ticks(top: float) -> tuple[float, float]:
    """A round maximum for the axis, and half of it."""
    if top < 2:
        return 2.0, 1.0
    step = 10 ** (len(str(int(top))) - 1)
    rounded = -(-top // step) * step
    return float(rounded), float(rounded) / 2


def _label(value: float, seconds: bool = False) -> str:
    if seconds:
        return f"{value:,.1f} s" if value < 10 else f"{value:,.0f} s"
    return f"{value:,.0f}"


def trend_chart(points: Sequence[TrendPoint]) -> Markup:
    """The SVG for `points` (oldest first); empty markup when there are none."""
    if not points:
        return Markup("")
    inner = WIDTH - LEFT - RIGHT
    count = len(points)

    def x(index: int) -> float:
        return LEFT + (inner * (index + 0.5) / count)

    height = TOP + PANEL + GAP + PANEL + 24
    parts: list[str] = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-title" preserveAspectRatio="xMidYMid meet">',
        '<title id="chart-title">Products per store and sync durations over the last '
        f"{count} syncs</title>",
    ]
    product_max, product_mid = _ticks(max(p.products for p in points))
    seconds_max, seconds_mid = _ticks(max(p.seconds for p in points))
    for top, maximum, middle, title, seconds in (
        (TOP, product_max, product_mid, "Products", False),
        (TOP + PANEL + GAP, seconds_max, seconds_mid, "Sync duration", True),
    ):
        parts.append(f'<text class="chart-title" x="{LEFT}" y="{top - 8}">{title}</text>')
        for value in (0.0, middle, maximum):
            y = top + PANEL - PANEL * value / maximum
            parts.append(
                f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                f'y2="{y:.1f}"/><text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" '
                f'text-anchor="end">{_label(value, seconds)}</text>'
            )
    by_store: dict[str, list[tuple[int, TrendPoint]]] = defaultdict(list)
    for index, point in enumerate(points):
        by_store[str(point.store_id)].append((index, point))
    legend_x = LEFT + 90
    for number, series in enumerate(by_store.values()):
        colour = _COLOURS[number % len(_COLOURS)]
        coords = [(x(i), TOP + PANEL - PANEL * p.products / product_max) for i, p in series]
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        parts.append(f'<polyline class="chart-line" points="{path}" stroke="{colour}"/>')
        parts.extend(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>' for cx, cy in coords
        )
        name = escape(series[0][1].store_name)
        parts.append(
            f'<rect x="{legend_x}" y="{TOP - 17}" width="10" height="10" fill="{colour}"/>'
            f'<text class="chart-legend" x="{legend_x + 14}" y="{TOP - 8}">{name}</text>'
        )
        legend_x += 24 + 7 * min(len(series[0][1].store_name), 24)
    bar = max(min(inner / count * 0.6, 28), 2)
    base = TOP + PANEL + GAP + PANEL
    for index, point in enumerate(points):
        tall = max(PANEL * point.seconds / seconds_max, 1)
        kind = "chart-bar-failed" if point.status == "failed" else "chart-bar"
        parts.append(
            f'<rect class="{kind}" x="{x(index) - bar / 2:.1f}" y="{base - tall:.1f}" '
            f'width="{bar:.1f}" height="{tall:.1f}"/>'
        )
    first, last = points[0].finished_at, points[-1].finished_at
    parts.append(
        f'<text class="chart-axis" x="{LEFT}" y="{height - 4}">'
        f"{first:%Y-%m-%d %H:%M} UTC</text>"
        f'<text class="chart-axis" x="{WIDTH - RIGHT}" y="{height - 4}" text-anchor="end">'
        f"{last:%Y-%m-%d %H:%M} UTC</text></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 - every interpolated text above is escaped or ours
