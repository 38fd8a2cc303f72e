"""Loss curves as one SVG document: a small panel per scalar tag, one polyline each.

Written as ``loss_curves.svg`` beside the evaluation report and inlined into
``report.html``. Plain SVG text, no plotting package: curves are drawn wherever tfface is
installed, stay crisp at any zoom, and tests read their points back as XML.

Each panel scales its own tag: steps left to right, values bottom (lowest) to top
(highest), with the first / last step and the lowest / highest value written on the axes.
Non-finite values (a diverged loss) are left out of the line and counted in the panel.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

MAX_PLOTTED_TAGS = 12
COLUMNS = 3
PANEL_WIDTH, PANEL_HEIGHT = 300, 190
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 58, 12, 26, 40
"""Margins of the plot area inside a panel (room for the title and the axis labels)."""
LINE_COLOUR = "#1f77b4"

Points = Sequence[tuple[int, float]]


def _number(value: float) -> str:
    """Axis label: 4 significant digits."""
    return f"{value:.4g}"


def _panel(tag: str, points: Points, left: float, top: float) -> list[str]:
    """SVG elements of one tag's panel whose top-left corner is (left, top)."""
    width = PANEL_WIDTH - PLOT_LEFT - PLOT_RIGHT
    height = PANEL_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    x0, y0 = left + PLOT_LEFT, top + PLOT_TOP
    finite = [(step, value) for step, value in points if math.isfinite(value)]
    parts = [
        f'<text x="{left + PANEL_WIDTH / 2:.1f}" y="{top + 16}" text-anchor="middle" '
        f'font-size="12">{html.escape(tag)}</text>',
        f'<rect x="{x0}" y="{y0}" width="{width}" height="{height}" fill="none" stroke="#ccc"/>',
    ]
    left_out = len(points) - len(finite)
    if left_out:
        parts.append(
            f'<text x="{x0 + width}" y="{top + PANEL_HEIGHT - 4}" text-anchor="end" '
            f'font-size="10" fill="#b00">{left_out} non-finite values left out</text>'
        )
    if not finite:
        return parts
    steps = [step for step, _ in finite]
    values = [value for _, value in finite]
    first, last = min(steps), max(steps)
    low, high = min(values), max(values)

    def x(step: int) -> float:
        return x0 + (width * (step - first) / (last - first) if last > first else width / 2)

    def y(value: float) -> float:
        return y0 + (height * (high - value) / (high - low) if high > low else height / 2)

    coordinates = " ".join(f"{x(step):.2f},{y(value):.2f}" for step, value in finite)
    parts += [
        f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.5"/>',
        f'<text x="{x0 - 4}" y="{y0 + 10}" text-anchor="end" font-size="10">{_number(high)}</text>',
        f'<text x="{x0 - 4}" y="{y0 + height}" text-anchor="end" font-size="10">'
        f"{_number(low)}</text>",
        f'<text x="{x0}" y="{y0 + height + 14}" font-size="10">{first}</text>',
        f'<text x="{x0 + width}" y="{y0 + height + 14}" text-anchor="end" font-size="10">'
        f"step {last}</text>",
    ]
    if len(finite) == 1:  # a single point draws no line: mark it
        parts.append(
            f'<circle cx="{x(first):.2f}" cy="{y(low):.2f}" r="2.5" fill="{LINE_COLOUR}"/>'
        )
    return parts


def loss_curves_svg(scalars: Mapping[str, Points], title: str = "") -> str:
    """An SVG document with one panel per tag (the first 12, in ``scalars`` order).

    Args:
        scalars: {tag: [(step, value), ...] sorted by step} (``event_logs.read_scalars``).
        title: a line above the panels (e.g. the logs folder).

    Raises:
        ValueError: no tags.
    """
    tags = list(scalars)[:MAX_PLOTTED_TAGS]
    if not tags:
        raise ValueError("no scalar summaries to draw")
    columns = min(COLUMNS, len(tags))
    rows = math.ceil(len(tags) / columns)
    header = 22 if title or len(scalars) > len(tags) else 0
    width, height = columns * PANEL_WIDTH, rows * PANEL_HEIGHT + header
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    if header:
        line = title
        if len(scalars) > len(tags):
            line += f" ({len(scalars) - len(tags)} more tags not drawn)"
        parts.append(f'<text x="6" y="15" font-size="12">{html.escape(line.strip())}</text>')
    for index, tag in enumerate(tags):
        row, column = divmod(index, columns)
        parts += _panel(tag, scalars[tag], column * PANEL_WIDTH, header + row * PANEL_HEIGHT)
    parts.append("</svg>")
    return "\n".join(parts)
