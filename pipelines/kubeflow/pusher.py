"""Pusher: export the blessed model to the serving base as its next version, with the lineage.

Only a blessed model is pushed. The version is exported into a hidden folder of the serving
base (`tfface.export.writer.export_run`: SavedModel, warmup requests, checked by loading it and
running them), its model card gets the pipeline's `pipeline` section (dataset, config,
metrics, blessing, baseline, the run and every artifact's URI), and then it is renamed to
`<base>/<name>/<version>` in one step and added to `<base>/models.config`, so a running
`tfface serve` or `tensorflow_model_server` picks it up by its version policy and never
sees a half-written version. A candidate that is already the served model (same
fingerprint) is not pushed again.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.kubeflow.serving_base import MODEL_CARD, latest_version, pipeline_card
from tfface.export.versions import served_versions


@dataclass(frozen=True)
class PushResult:
    """What the pusher did.

    Attributes:
        pushed: a new version was written.
        version: the new version, or the served one the candidate already is (0: none).
        version_dir: its folder ("" if none).
        reason: one line saying why (not) pushed.
    """

    pushed: bool
    version: int
    version_dir: str
    reason: str


def check_model_name(model_name: str) -> None:
    """Raises ValueError for a name TF Serving cannot use as a folder."""
    if not model_name or "/" in model_name or model_name.startswith("."):
        raise ValueError(f"invalid model name {model_name!r}")


def push_model(
    model_dir: str,
    serving_base: str,
    model_name: str,
    blessed: bool,
    blessing_reason: str,
    pipeline_section: dict[str, Any],
    config_base_path: str = "",
) -> PushResult:
    """Pushes the run in `model_dir` when blessed (see the module docstring).

    Args:
        model_dir: the trainer's run directory (the Model artifact).
        serving_base: the model base folder (holds models.config).
        model_name: the TF Serving model name.
        blessed, blessing_reason: the evaluator's decision.
        pipeline_section: lineage for the model card; its `model_fingerprint` identifies
            the candidate.
        config_base_path: base_path prefix in models.config (default: the absolute base).
    """
    check_model_name(model_name)
    if not blessed:
        return PushResult(False, 0, "", f"the model is {blessing_reason}")
    base = Path(serving_base).resolve()
    served = latest_version(base / model_name)
    fingerprint = pipeline_section.get("model_fingerprint")
    if served is not None and pipeline_card(served).get("model_fingerprint") == fingerprint:
        return PushResult(
            False,
            int(served.name),
            str(served),
            f"version {served.name} is already this model (same fingerprint)",
        )
    from tfface.export.model_config import CONFIG_FILE, add_model_to_config
    from tfface.export.writer import export_run

    found = served_versions(base / model_name)
    version = found[-1] + 1 if found else 1
    base.mkdir(parents=True, exist_ok=True)
    staging = base / f".pusher-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        result = export_run(model_dir, staging, model_name, version, verify=True)
        card_path = result.version_dir / MODEL_CARD
        card = json.loads(card_path.read_text())
        card["pipeline"] = {**pipeline_section, "version": version}
        card["metrics"] = pipeline_section.get("evaluation", {}).get("metrics", card["metrics"])
        card_path.write_text(json.dumps(card, indent=1, default=str))
        final = base / model_name / str(version)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise ValueError(f"{final} appeared while pushing; not overwriting it")
        os.rename(result.version_dir, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    prefix = config_base_path.rstrip("/") if config_base_path else str(base)
    add_model_to_config(base / CONFIG_FILE, model_name, f"{prefix}/{model_name}")
    return PushResult(True, version, str(final), f"version {version} at {final}")


def lineage_section(
    model: Any, examples: Any, evaluation: Any, blessing: Any, pushed_uri: str
) -> dict[str, Any]:
    """The model card's `pipeline` section from the input artifacts (with `uri`, `metadata`):
    the run, the dataset and the job that built it, the training config, the metrics, the
    blessing and the baseline it was compared with."""
    from pipelines.kubeflow.lineage import producer_run

    evaluation_config = dict(evaluation.metadata.get("config", {}))
    return {
        "run": producer_run(pushed_uri),
        "model_fingerprint": model.metadata.get("fingerprint", ""),
        "model": {
            "uri": model.uri,
            "system": model.metadata.get("system"),
            "steps": int(model.metadata.get("steps") or 0),
            "config": model.metadata.get("config", {}),
            "run": model.metadata.get("producer", {}).get("run"),
        },
        "dataset": {
            "uri": examples.uri,
            "fingerprint": examples.metadata.get("fingerprint", ""),
            "source": examples.metadata.get("source"),
            "counts": examples.metadata.get("counts", {}),
            "config": examples.metadata.get("config", {}),
            "run": examples.metadata.get("producer", {}).get("run"),
        },
        "evaluation": {
            "uri": evaluation.uri,
            "metrics": dict(evaluation.metadata.get("metrics", {})),
            "evaluated": str(evaluation_config.get("metrics", "")).split(","),
            "max_examples": evaluation_config.get("max_examples", 0),
            "examples_fingerprint": examples.metadata.get("fingerprint", ""),
        },
        "blessing": {
            "uri": blessing.uri,
            "blessed": blessing.metadata.get("blessed"),
            "reason": blessing.metadata.get("reason"),
        },
        "baseline": blessing.metadata.get("baseline"),
    }
