"""Side-by-side comparison of several evaluations (``tfface evaluate A B C ...``).

Sevastopolskiy 2019, Table 4.1 compares three variants of one method (FW+GAP, FW, BKWD) on
MSE, IS and FID per input-yaw bucket; Table 4.2 Rank-1 per yaw. ``comparison_report`` takes
the reports of one evaluation per source (same data, same options) and lays their numbers
side by side: one table of the overall metrics (a row per metric, a column per source) and,
with ``--by``, one table per pose bucket row with a column per (metric, source), the layout
of Table 4.1. Written as ``report.json`` / ``report.md`` / ``report.html``
(``comparison_html``) in the output folder; each source's own full report is in a
sub-folder named after its label. Each source's compared image (its signature's declared
target, see ``target_choice``) is listed with it; differing targets are noted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tfface.metrics.buckets import bucket_order
from tfface.metrics.comparison_html import write_comparison_html
from tfface.metrics.report import (
    Table,
    format_number,
    markdown_table,
    target_text,
    text_table,
    write_json,
)


def source_labels(paths: Sequence[str | os.PathLike], labels: Sequence[str] = ()) -> list[str]:
    """Column labels: `labels` if given (one per source), else the folder names, made unique.

    A version folder (``<base>/<name>/3``) is labelled ``<name>_3``.
    """
    if labels:
        if len(labels) != len(paths):
            raise ValueError(f"--labels gives {len(labels)} labels for {len(paths)} sources")
        chosen = [label.strip() for label in labels]
        if any(not label or "/" in label or label.startswith(".") for label in chosen):
            raise ValueError(f"labels must be non-empty folder names, got {list(labels)}")
    else:
        chosen = []
        for path in paths:
            path = Path(path).resolve()
            chosen.append(f"{path.parent.name}_{path.name}" if path.name.isdigit() else path.name)
    unique: list[str] = []
    for label in chosen:
        candidate, index = label, 2
        while candidate in unique:
            candidate, index = f"{label}_{index}", index + 1
        unique.append(candidate)
    return unique


def headline(name: str, value: Any) -> float | None:
    """The one number of a report metric: a summary's mean, FID's value, Rank-1 accuracy..."""
    if not isinstance(value, dict):
        return value if isinstance(value, (int, float)) else None
    for key in ("mean", "value", "accuracy", "miou"):
        if key in value:
            return value[key]
    return None


def comparison_report(labels: Sequence[str], reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The comparison of reports of the same data and options, one per source.

    Returns:
        {'kind': 'comparison', 'sources': [{label, source, data, examples}], 'metrics':
        {metric: {label: value}}, 'by': {bucket: {'count': {label: n}, metric: {label:
        value}}}, 'by_angle': the --by angle or None, 'notes': [...]}.
    """
    if len(labels) != len(reports) or not reports:
        raise ValueError("comparison_report needs one label per report, and some reports")
    metrics: dict[str, dict[str, Any]] = {}
    by: dict[str, dict[str, dict[str, Any]]] = {}
    notes: list[str] = []
    for label, report in zip(labels, reports, strict=True):
        for name, value in report["metrics"].items():
            number = headline(name, value)
            if number is not None:
                metrics.setdefault(name, {})[label] = number
        for bucket, row in (report.get("by") or {}).items():
            for name, value in row.items():
                by.setdefault(bucket, {}).setdefault(name, {})[label] = value
        notes.extend(f"{label}: {note}" for note in report.get("notes", []))
    patterns = {report["data"]["pattern"] for report in reports}
    if len(patterns) > 1:
        notes.append(f"the sources were evaluated on different data: {sorted(patterns)}")
    targets = {report["data"]["target"] for report in reports}
    if len(targets) > 1:
        notes.append(
            f"the sources are compared with different dataset images ({', '.join(sorted(targets))}"
            "): see each source's target"
        )
    angles = {report["options"].get("by") for report in reports}
    return {
        "kind": "comparison",
        "sources": [
            {
                "label": label,
                "source": report["source"],
                "examples": report["data"]["examples"],
                "target": target_text(report["data"]),
                "report": f"{label}/report.json",
            }
            for label, report in zip(labels, reports, strict=True)
        ],
        "data": reports[0]["data"],
        "metrics": metrics,
        "by": dict(sorted(by.items(), key=lambda item: bucket_order(item[0]))),
        "by_angle": angles.pop() if len(angles) == 1 else None,
        "labels": list(labels),
        "notes": notes,
    }


def overall_table(comparison: dict[str, Any]) -> Table:
    """A row per metric, a column per source."""
    labels = comparison["labels"]
    rows = [
        [name, *(format_number(values.get(label)) for label in labels)]
        for name, values in comparison["metrics"].items()
    ]
    return ["metric", *labels], rows


def bucket_table(comparison: dict[str, Any]) -> Table:
    """Table 4.1 layout: a row per bucket, a column per (metric, source)."""
    labels = comparison["labels"]
    names: list[str] = []
    for row in comparison["by"].values():
        names.extend(name for name in row if name != "count" and name not in names)
    header = [
        f"|{comparison['by_angle']}|",
        "n",
        *(f"{n} {label}" for n in names for label in labels),
    ]
    rows = []
    for bucket, row in comparison["by"].items():
        counts = {row.get("count", {}).get(label) for label in labels} - {None}
        cells = [bucket, "/".join(str(count) for count in sorted(counts)) or "-"]
        cells += [format_number(row.get(name, {}).get(label)) for name in names for label in labels]
        rows.append(cells)
    return header, rows


def comparison_tables(comparison: dict[str, Any]) -> list[tuple[str, Table]]:
    tables = [("Metrics", overall_table(comparison))]
    if comparison["by"]:
        tables.append((f"By {comparison['by_angle']} bucket", bucket_table(comparison)))
    return tables


def comparison_markdown(comparison: dict[str, Any]) -> str:
    data = comparison["data"]
    parts = [
        "# tfface evaluation: comparison",
        "",
        f"- data: {data['pattern']} ({data['examples']} examples, {data['image_size']} px)",
        *(
            f"- {item['label']}: {item['source'].get('path', '?')} "
            f"(signature {item['source'].get('signature', '-')}; target: {item['target']}; "
            f"full report `{item['report']}`)"
            for item in comparison["sources"]
        ),
        "",
    ]
    for title, table in comparison_tables(comparison):
        parts += [f"## {title}", "", markdown_table(table), ""]
    if comparison["notes"]:
        parts += ["## Notes", "", *(f"- {note}" for note in comparison["notes"]), ""]
    return "\n".join(parts)


def comparison_text(comparison: dict[str, Any]) -> str:
    """What ``tfface evaluate`` prints for several sources."""
    parts = []
    for title, table in comparison_tables(comparison):
        parts += [title, text_table(table), ""]
    return "\n".join(parts)


def write_comparison(comparison: dict[str, Any], out_dir: str | os.PathLike) -> Path:
    """Writes ``report.json``, ``report.md`` and ``report.html`` of the comparison."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(comparison, out_dir / "report.json")
    (out_dir / "report.md").write_text(comparison_markdown(comparison) + "\n", encoding="utf-8")
    write_comparison_html(comparison, out_dir / "report.html", comparison_tables(comparison))
    return out_dir
