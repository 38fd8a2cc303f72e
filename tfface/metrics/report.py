"""The evaluation report: ``report.json`` (everything), ``report.md`` and the printed summary.

The same tables feed Markdown, HTML (``report_html``) and the terminal: a metrics
table (metric, value, details) and, with ``--by``, one row per pose bucket.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

Table = tuple[list[str], list[list[str]]]
"""(header, rows) of strings."""


def format_number(value: Any) -> str:
    """4 decimals below 100, 2 above, 3 significant digits below 0.001; '-' for missing."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.3g}"
    return f"{value:.2f}" if abs(value) >= 100 else f"{value:.4f}"


def _summary_cell(summary: dict[str, Any]) -> tuple[str, str]:
    value = format_number(summary.get("mean"))
    details = f"± {format_number(summary.get('std'))}, n={summary.get('count', 0)}"
    if summary.get("infinite"):
        details += f", {summary['infinite']} infinite (identical) excluded"
    if summary.get("undefined"):
        details += f", {summary['undefined']} undefined (empty mask) excluded"
    return value, details


def metrics_table(metrics: dict[str, Any]) -> Table:
    """One row per reported number."""
    rows: list[list[str]] = []
    for name, value in metrics.items():
        if name == "fid":
            rows.append(
                [
                    "fid",
                    format_number(value["value"]),
                    f"{value['generated']} generated vs {value['real']} real "
                    f"({value['reference']}), sqrt: {value['sqrt_method']}",
                ]
            )
        elif name == "kid":
            rows.append(
                [
                    "kid x 1000",
                    format_number(value["mean"]),
                    f"± {format_number(value['std'])}, {value['subsets']} subsets of {value['subset_size']}",
                ]
            )
        elif name in ("is", "diversity"):
            details = f"± {format_number(value['std'])}"
            if name == "is":
                details += f", {value['splits']} splits"
            else:
                details += (
                    f", {value['inputs']} inputs x {value['samples_per_input']} samples, "
                    f"{value['distance']}"
                )
            rows.append([name, format_number(value["mean"]), details])
        elif name == "rank1":
            rows.append(
                [
                    "rank1",
                    format_number(value["accuracy"]),
                    f"{value['probes']} probes, gallery of {value['gallery']} identities",
                ]
            )
        elif name == "verification":
            rows.append(
                [
                    "verification accuracy",
                    format_number(value["accuracy"]),
                    f"± {format_number(value['accuracy_std'])}, AUC {format_number(value['auc'])}, "
                    f"{value['pairs']} pairs, {value['folds']} folds",
                ]
            )
        elif name == "tar_at_far":
            for far, rate in value.items():
                rows.append([f"TAR @ FAR {far}", format_number(rate), "true accept rate"])
        elif name in ("cosine_same", "cosine_different"):
            rows.append([name, format_number(value), "mean cosine of the verification pairs"])
        elif name == "miou":
            rows.append(
                [
                    "miou",
                    format_number(value["miou"]),
                    f"pixel accuracy {format_number(value['pixel_accuracy'])}",
                ]
            )
        elif isinstance(value, dict) and "mean" in value:
            rows.append([name, *_summary_cell(value)])
    return ["metric", "value", "details"], rows


def breakdown_table(breakdown: dict[str, Any], by: str) -> Table:
    """One row per bucket: count and the mean of every metric."""
    columns: list[str] = []
    for row in breakdown.values():
        for key in row:
            if key != "count" and key not in columns:
                columns.append(key)
    header = [f"|{by}|", "n", *columns]
    rows = [
        [label, str(row["count"]), *(format_number(row.get(column)) for column in columns)]
        for label, row in breakdown.items()
    ]
    return header, rows


def class_table(miou: dict[str, Any]) -> Table:
    rows = [
        [name, format_number(values["iou"]), format_number(values["accuracy"])]
        for name, values in miou["per_class"].items()
    ]
    return ["class", "IoU", "pixel accuracy"], rows


def markdown_table(table: Table) -> str:
    header, rows = table
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(table: Table) -> str:
    """Aligned plain-text table for the terminal."""
    header, rows = table
    widths = [max(len(line[index]) for line in [header, *rows]) for index in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, rows)])


def tables(report: dict[str, Any]) -> list[tuple[str, Table]]:
    """(title, table) pairs of a report, in display order."""
    result = [("Metrics", metrics_table(report["metrics"]))]
    if report.get("by"):
        name = report["options"]["by"]
        result.append((f"By {name} bucket", breakdown_table(report["by"], name)))
    if "miou" in report["metrics"]:
        result.append(("Parsing per class", class_table(report["metrics"]["miou"])))
    return result


def target_text(data: dict[str, Any]) -> str:
    """``input image (mask_guided reconstructs its input)``: the compared image and why
    (``output uv_texture vs uv_texture (...)`` when the scored output is not ``image``)."""
    name = "input image" if data["target"] == "image" else data["target"]
    output = data.get("output", "image")
    name = name if output == "image" else f"output {output} vs {name}"
    reason = data.get("target_reason")
    return f"{name} ({reason})" if reason else name


def header_lines(report: dict[str, Any]) -> list[str]:
    source, data = report["source"], report["data"]
    how = "run: latest checkpoint exported temporarily, " if source.get("kind") == "run" else ""
    lines = [
        f"source: {source.get('path', '?')} ({how}signature {source.get('signature', '-')})",
        f"data: {data['pattern']} ({data['examples']} examples, {data['image_size']} px)",
        f"target: {target_text(data)}",
        f"time: {report['seconds']:.1f} s on {report['replicas']} replica(s)",
    ]
    if "fid" in report["metrics"] or "kid" in report["metrics"] or "is" in report["metrics"]:
        lines.append(
            f"inception protocol: {json.dumps(report.get('inception', {}), sort_keys=True)}"
        )
    return lines


def markdown(report: dict[str, Any]) -> str:
    parts = ["# tfface evaluation report", "", *(f"- {line}" for line in header_lines(report)), ""]
    for title, table in tables(report):
        parts += [f"## {title}", "", markdown_table(table), ""]
    if report["notes"]:
        parts += ["## Notes", "", *(f"- {note}" for note in report["notes"]), ""]
    if report.get("artifacts"):
        parts += [
            "## Files",
            "",
            *(f"- {name}: `{path}`" for name, path in report["artifacts"].items()),
            "",
        ]
    return "\n".join(parts)


def summary_text(report: dict[str, Any]) -> str:
    """What ``tfface evaluate`` prints."""
    parts = [*header_lines(report), ""]
    for title, table in tables(report):
        parts += [title, text_table(table), ""]
    return "\n".join(parts)


def write_json(report: dict[str, Any], path: str | os.PathLike) -> Path:
    path = Path(path)
    path.write_text(json.dumps(report, indent=1, default=numpy_default, allow_nan=True) + "\n")
    return path


def describe_source(source: Any) -> dict[str, Any]:
    """The source's JSON description (``describe()`` when it has one)."""
    return source.describe() if hasattr(source, "describe") else {"kind": type(source).__name__}


def numpy_default(value: Any) -> Any:
    """json.dumps default for NumPy scalars and arrays."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")
