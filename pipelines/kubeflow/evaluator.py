"""Evaluator: `tfface evaluate` of the candidate on the test split, and the blessing.

The candidate (the trainer's run directory, exported to a temporary folder by
`tfface.metrics.sources`) is evaluated into the Metrics artifact's folder (report.json,
report.md, report.html). The baseline is the model currently pushed (the highest version of
`<serving_base>/<model_name>`); its metrics on the same data come from, in this order: the
same model (its card names the candidate's fingerprint: the candidate's own numbers), its
model card (pushed by this pipeline after an evaluation on the same dataset fingerprint and
metrics), or an evaluation of the export here (into `baseline/`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.kubeflow.blessing import (
    Blessing,
    decide_blessing,
    parse_threshold,
    report_metric_values,
)
from pipelines.kubeflow.serving_base import latest_version, pipeline_card


@dataclass(frozen=True)
class Evaluation:
    """What the evaluator found.

    Attributes:
        metrics: the candidate's metric values.
        blessing: the gate's decision.
        baseline: which model was the baseline and where its numbers came from (None: none).
    """

    metrics: dict[str, float]
    blessing: Blessing
    baseline: dict[str, Any] | None


def evaluate_source(
    source: str,
    data_dir: str,
    metrics: Sequence[str],
    out_dir: Path,
    max_examples: int,
    feature_weights: str,
) -> dict[str, float]:
    """Evaluates an export or run directory on the test split; returns its metric values."""
    from tfface.metrics.evaluation_options import EvaluationOptions
    from tfface.metrics.run_evaluation import evaluate

    options = EvaluationOptions(
        metrics=tuple(metrics),
        data=data_dir,
        split="test",
        max_examples=max_examples or None,
        feature_weights=feature_weights,
    )
    report = evaluate(source, options, out_dir)
    return report_metric_values(report)


def baseline_metrics(
    serving_model_dir: str,
    candidate_fingerprint: str,
    examples_fingerprint: str,
    metrics: Sequence[str],
    candidate: dict[str, float],
    out_dir: Path,
    max_examples: int,
    feature_weights: str,
    data_dir: str,
) -> tuple[dict[str, float] | None, dict[str, Any] | None]:
    """The baseline's metric values and a description of it (None, None: nothing is pushed)."""
    version_dir = latest_version(serving_model_dir) if serving_model_dir else None
    if version_dir is None:
        return None, None
    card = pipeline_card(version_dir)
    described = {"version_dir": str(version_dir), "version": int(version_dir.name)}
    recorded = card.get("evaluation", {})
    if card.get("model_fingerprint") == candidate_fingerprint:
        return dict(candidate), {**described, "metrics_from": "same model as the candidate"}
    if (
        recorded.get("examples_fingerprint") == examples_fingerprint
        and sorted(recorded.get("evaluated", [])) == sorted(metrics)
        and recorded.get("max_examples") == max_examples
    ):
        return dict(recorded["metrics"]), {**described, "metrics_from": "its model card"}
    values = evaluate_source(
        str(version_dir), data_dir, metrics, out_dir, max_examples, feature_weights
    )
    return values, {**described, "metrics_from": f"evaluated here ({out_dir})"}


def evaluate_candidate(
    model_dir: str,
    data_dir: str,
    output_dir: str,
    metrics: Sequence[str],
    thresholds: Sequence[str],
    regression_tolerance: float,
    serving_model_dir: str,
    model_fingerprint: str,
    examples_fingerprint: str,
    max_examples: int = 0,
    feature_weights: str = "imagenet",
) -> Evaluation:
    """Evaluates the candidate into `output_dir`, compares it and writes blessing.json there.

    Raises:
        ValueError: a malformed threshold or tolerance, unknown metrics.
    """
    bounds = [parse_threshold(text) for text in thresholds]
    out = Path(output_dir)
    candidate = evaluate_source(model_dir, data_dir, metrics, out, max_examples, feature_weights)
    baseline, described = baseline_metrics(
        serving_model_dir,
        model_fingerprint,
        examples_fingerprint,
        metrics,
        candidate,
        out / "baseline",
        max_examples,
        feature_weights,
        data_dir,
    )
    blessing = decide_blessing(candidate, bounds, baseline, regression_tolerance)
    (out / "blessing.json").write_text(
        json.dumps({**blessing.to_json(), "baseline": described, "metrics": candidate}, indent=1)
    )
    return Evaluation(candidate, blessing, described)
