"""``report.html`` of a comparison (``tfface evaluate A B ...``): the side-by-side tables.

The same tables as the comparison's ``report.md`` (``comparison.comparison_tables``), the
sources with links to their own full ``report.html`` (sample grids, loss curves), and the
notes. One self-contained file, like each source's page (``report_html``).
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from tfface.metrics.report import Table
from tfface.metrics.report_html import STYLE, finish_page, table_html


def _source_item(item: dict[str, Any]) -> str:
    source = item["source"]
    page = item["report"].replace("report.json", "report.html")
    return (
        f"<li><b>{html.escape(item['label'])}</b>: {html.escape(str(source.get('path', '?')))} "
        f"(signature {html.escape(str(source.get('signature', '-')))}, "
        f"{item['examples']} examples, target: {html.escape(item.get('target', '-'))}): "
        f'<a href="{html.escape(page)}">full report</a></li>'
    )


def write_comparison_html(
    comparison: dict[str, Any],
    path: str | os.PathLike,
    tables: list[tuple[str, Table]],
) -> Path:
    """Writes the comparison page; ``tables`` are its (title, table) pairs."""
    data = comparison["data"]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<title>tfface evaluation: comparison</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>tfface evaluation: comparison</h1><ul>",
        f"<li>data: {html.escape(str(data['pattern']))} ({data['examples']} examples, "
        f"{data['image_size']} px)</li>",
        "</ul><h2>Sources</h2><ul>",
        *(_source_item(item) for item in comparison["sources"]),
        "</ul>",
    ]
    for title, table in tables:
        parts += [f"<h2>{html.escape(title)}</h2>", table_html(table)]
    return finish_page(parts, comparison["notes"], path)
