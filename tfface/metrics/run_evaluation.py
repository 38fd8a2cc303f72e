"""``evaluate(source, options, out_dir)``: one evaluation, written as report.json / .md / .html.

Python entry point of ``tfface evaluate`` (the command only parses flags):

    from tfface.metrics import EvaluationOptions, evaluate
    report = evaluate("exports/pose_editing/3", EvaluationOptions(("fid", "ssim"), "data/"), "eval/")

Writes into ``out_dir``: ``report.json`` (every number, the options, the protocol),
``report.md``, ``report.html`` (tables, sample grid, loss curves), ``samples.png``
and ``loss_curves.svg`` (when a ``logs/`` folder with scalar summaries is found:
``options.logs``, else the run's ``logs/``: the run directory, or the run named in an
export's model card; otherwise the notes say why there are no curves).

A run directory is exported to a temporary folder for the evaluation; that folder is
removed when ``evaluate`` returns or raises (``sources.load_run``), and the report names
the run.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfface import __version__
from tfface.metrics.curves_svg import loss_curves_svg
from tfface.metrics.evaluation import Evaluation
from tfface.metrics.evaluation_options import EvaluationOptions
from tfface.metrics.evaluation_recognition import RecognitionEvaluation, is_embedding_source
from tfface.metrics.event_logs import read_scalars
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


def _logs_dir(source_path: Path, options: EvaluationOptions, source: Any) -> Path:
    """--logs, else the logs of the run behind the source, else SOURCE/logs."""
    if options.logs is not None:
        return Path(options.logs)
    run_logs = getattr(source, "logs_dir", None)
    return run_logs if run_logs is not None else source_path / "logs"


def _loss_curves(logs: Path, notes: list[str]) -> str | None:
    """The SVG of the scalar curves under ``logs``; None (and a note saying why) if none."""
    if not logs.is_dir():
        notes.append(f"no loss curves: no logs folder {logs} (pass --logs DIR)")
        return None
    scalars = read_scalars(logs)
    if not scalars:
        notes.append(f"no loss curves: no scalar summaries under {logs}")
        return None
    return loss_curves_svg(scalars, title=str(logs))


def evaluate(
    source_path: str | os.PathLike,
    options: EvaluationOptions,
    out_dir: str | os.PathLike,
    strategy: tf.distribute.Strategy | None = None,
    progress: Callable[[int], None] | None = None,
    source: Any = None,
) -> dict[str, Any]:
    """Evaluates ``source_path`` (an export or a run directory) and writes the reports.

    Args:
        source_path: export dir (``<base>/<name>[/<version>]``) or run dir.
        options: what to compute.
        out_dir: where the reports go (created).
        strategy: tf.distribute strategy of the per-replica step.
        progress: called with the size of each finished batch.
        source: an already loaded source (skips loading ``source_path``; the caller closes
            it). Otherwise the source is loaded here and closed before returning, also on
            errors and Ctrl-C (a run's temporary export is removed).

    Returns:
        The report dict (what report.json holds).
    """
    source_path = Path(source_path)
    if source is None:
        with load_source(source_path, options.signature) as loaded:
            return evaluate(source_path, options, out_dir, strategy, progress, source=loaded)
    if is_embedding_source(source):  # face_recognition: verification and Rank-1
        with RecognitionEvaluation(source, options, strategy) as evaluation:
            result = evaluation.run(progress)
        if result["by"] and options.by is None:
            options = dataclasses.replace(options, by="yaw")
        return write_reports(source_path, source, evaluation, result, options, Path(out_dir))
    with Evaluation(source, options, strategy) as evaluation:
        result = evaluation.run(progress)
    return write_reports(source_path, source, evaluation, result, options, Path(out_dir))


def write_reports(
    source_path: Path,
    source: Any,
    evaluation: Evaluation,
    result: dict[str, Any],
    options: EvaluationOptions,
    out_dir: Path,
) -> dict[str, Any]:
    """report.json / .md / .html, the sample grid and the loss curves of a finished run."""
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
    curves = _loss_curves(_logs_dir(source_path, options, source), notes)
    if curves is not None:
        (out_dir / "loss_curves.svg").write_text(curves + "\n", encoding="utf-8")
        artifacts["loss_curves"] = "loss_curves.svg"
    if options.save_stats is not None and evaluation.fid is not None:
        artifacts["statistics"] = str(options.save_stats)
    report = {
        "tfface_version": __version__,
        "source": describe_source(source),
        "data": {
            "pattern": evaluation.pattern,
            "split": options.split,
            "examples": result["examples"],
            "target": evaluation.target.feature,
            "target_reason": evaluation.target.reason,
            "output": getattr(evaluation.target, "output", "image"),
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
    write_html(report, out_dir / "report.html", grid_path, curves)
    return report
