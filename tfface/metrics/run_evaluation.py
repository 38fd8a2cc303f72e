"""``evaluate(source, options, out_dir)``: one evaluation, written as report.json / .md / .html.

Python entry point of ``tfface evaluate`` (the command only parses flags):

    from tfface.metrics import EvaluationOptions, evaluate
    report = evaluate("exports/pose_editing/3", EvaluationOptions(("fid", "ssim"), "data/"), "eval/")

Writes into ``out_dir``: ``report.json`` (every number, the options, the protocol),
``report.md``, ``report.html`` (tables, sample grid, loss curves), ``samples.png``
and ``loss_curves.png`` (when a ``logs/`` folder with scalar summaries is found:
``options.logs``, else ``SOURCE/logs``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfface import __version__
from tfface.metrics.evaluation import Evaluation
from tfface.metrics.evaluation_options import EvaluationOptions
from tfface.metrics.event_logs import plot_scalars, read_scalars
from tfface.metrics.report import describe_source, markdown, write_json
from tfface.metrics.report_html import write_html
from tfface.metrics.sources import load_source
from tfface.visualize import save_contact_sheet

GRID_CELL_SIZE = 128


def _options_dict(options: EvaluationOptions) -> dict[str, Any]:
    return {
        field.name: (str(value) if isinstance(value, Path) else value)
        for field in dataclasses.fields(options)
        for value in [getattr(options, field.name)]
    }


def _loss_curves(source_path: Path, options: EvaluationOptions, out_dir: Path, notes: list[str]):
    logs = options.logs if options.logs is not None else source_path / "logs"
    if not Path(logs).is_dir():
        return None
    scalars = read_scalars(logs)
    if not scalars:
        notes.append(f"no scalar summaries under {logs}: no loss curves")
        return None
    try:
        return plot_scalars(scalars, out_dir / "loss_curves.png", title=str(logs))
    except ImportError:
        notes.append("matplotlib is not installed: no loss curves (pip install matplotlib)")
        return None


def evaluate(
    source_path: str | os.PathLike,
    options: EvaluationOptions,
    out_dir: str | os.PathLike,
    strategy: tf.distribute.Strategy | None = None,
    progress: Callable[[int], None] | None = None,
    source: Any = None,
) -> dict[str, Any]:
    """Evaluates ``source_path`` (export, or run once ``load_run`` exists) and writes the reports.

    Args:
        source_path: export dir (``<base>/<name>[/<version>]``) or run dir.
        options: what to compute.
        out_dir: where the reports go (created).
        strategy: tf.distribute strategy of the per-replica step.
        progress: called with the size of each finished batch.
        source: an already loaded source (skips loading ``source_path``).

    Returns:
        The report dict (what report.json holds).
    """
    source_path = Path(source_path)
    out_dir = Path(out_dir)
    source = source if source is not None else load_source(source_path, options.signature)
    evaluation = Evaluation(source, options, strategy)
    result = evaluation.run(progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = list(result["notes"])
    artifacts: dict[str, Any] = {}
    grid_path = None
    grid = result["samples"].get("grid")
    if grid:
        side = max(GRID_CELL_SIZE, grid["rows"][0][0].shape[0])  # small images are enlarged
        grid_path = save_contact_sheet(
            out_dir / "samples.png",
            grid["rows"],
            grid["row_labels"],
            grid["column_labels"],
            cell_size=side,
        )
        artifacts["samples"] = grid_path.name
        artifacts["sample_keys"] = grid["keys"]
    curves_path = _loss_curves(source_path, options, out_dir, notes)
    if curves_path is not None:
        artifacts["loss_curves"] = curves_path.name
    if options.save_stats is not None and evaluation.fid is not None:
        artifacts["statistics"] = str(options.save_stats)
    report = {
        "tfface_version": __version__,
        "source": describe_source(source),
        "data": {
            "pattern": evaluation.pattern,
            "split": options.split,
            "examples": result["examples"],
            "target": evaluation.target_name,
            "image_size": evaluation.image_size,
        },
        "options": _options_dict(options),
        "inception": evaluation.inception.metadata if evaluation.inception else None,
        "replicas": evaluation.strategy.num_replicas_in_sync,
        "seconds": result["seconds"],
        "metrics": result["metrics"],
        "by": result["by"],
        "notes": notes,
        "artifacts": artifacts,
    }
    write_json(report, out_dir / "report.json")
    (out_dir / "report.md").write_text(markdown(report) + "\n", encoding="utf-8")
    write_html(report, out_dir / "report.html", grid_path, curves_path)
    return report
