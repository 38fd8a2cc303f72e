"""``report.html``: the report's tables, the sample grid and the loss curves in one file.

The sample grid is embedded as a base64 PNG data URI and the loss curves as inline SVG
(``curves_svg``), so the file can be mailed or attached to a CI run as is. Same tables as
``report.md`` (``tfface.metrics.report.tables``).
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Any

from tfface.metrics.report import Table, header_lines, tables

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 0.9em; }
th { background: #f0f0f0; }
img { max-width: 100%; border: 1px solid #ddd; }
"""


def table_html(table: Table) -> str:
    """An HTML table of (header, rows) strings, escaped."""
    header, rows = table
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def finish_page(parts: list[str], notes: list[str], path: str | os.PathLike) -> Path:
    """Appends the notes section (if any) and the closing tags to `parts`; writes the page."""
    if notes:
        parts += ["<h2>Notes</h2><ul>", *(f"<li>{html.escape(n)}</li>" for n in notes), "</ul>"]
    parts.append("</body></html>")
    path = Path(path)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def _image_html(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def write_html(
    report: dict[str, Any],
    path: str | os.PathLike,
    grid: Path | None = None,
    curves: str | None = None,
) -> Path:
    """Writes the HTML report; ``grid`` is a PNG file to embed, ``curves`` an SVG document."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<title>tfface evaluation report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>tfface evaluation report</h1><ul>",
        *(f"<li>{html.escape(line)}</li>" for line in header_lines(report)),
        "</ul>",
    ]
    for title, table in tables(report):
        parts += [f"<h2>{html.escape(title)}</h2>", table_html(table)]
    if grid is not None:
        parts += ["<h2>Samples</h2>", _image_html(grid, "sample grid")]
    if curves is not None:
        parts += ["<h2>Loss curves</h2>", f"<div>{curves}</div>"]
    return finish_page(parts, report["notes"], path)
