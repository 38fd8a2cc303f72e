"""The model card: `assets.extra/model_card.json` in every exported version.

What the export is (system, model name, version, tfface version, date), where it comes from
(run directory, checkpoint, steps, training data, the whole resolved config, EMA or raw
weights), how to call it (signatures with their inputs and outputs) and how good it is (the
run's report.json metrics, when `tfface evaluate` wrote one into the run directory).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tfface import __version__
from tfface.config import to_dict
from tfface.signatures.signature import ExportSignature

MODEL_CARD_FILE = "model_card.json"
REPORT_FILE = "report.json"


def _spec_text(spec: Any) -> dict[str, Any]:
    return {"dtype": spec.dtype.name, "shape": [-1 if dim is None else dim for dim in spec.shape]}


def describe_signatures(
    signatures: Mapping[str, ExportSignature], functions: Mapping[str, Any]
) -> dict[str, Any]:
    """Signature name -> description, inputs and outputs (dtype, shape; -1 = any)."""
    described = {}
    for name, signature in signatures.items():
        outputs = functions[name].structured_outputs
        described[name] = {
            "description": signature.description,
            "inputs": {
                input_name: {**_spec_text(item.spec), "description": item.description}
                for input_name, item in signature.inputs.items()
            },
            "outputs": {output_name: _spec_text(spec) for output_name, spec in outputs.items()},
            "evaluation_target": (
                signature.evaluation_target.describe() if signature.evaluation_target else None
            ),
        }
    return described


def run_metrics(run_dir: Path | None) -> dict[str, Any] | None:
    """The metrics of RUN_DIR/report.json, if there is one."""
    if run_dir is None or not (run_dir / REPORT_FILE).is_file():
        return None
    return json.loads((run_dir / REPORT_FILE).read_text())


def model_card(
    *,
    system_name: str,
    model_name: str,
    version: int,
    signatures: Mapping[str, ExportSignature],
    functions: Mapping[str, Any],
    config: Any = None,
    run_dir: Path | None = None,
    run_info: Mapping[str, Any] | None = None,
    checkpoint_path: str | None = None,
    steps: int | None = None,
    weights: str = "raw",
) -> dict[str, Any]:
    """The model card as JSON-ready data."""
    config_data = to_dict(config) if dataclasses.is_dataclass(config) else None
    data_dir = None
    if config is not None and getattr(config, "data", None) is not None:
        data_dir = getattr(config.data, "data_dir", None) or None
    return {
        "model_name": model_name,
        "version": version,
        "system": system_name,
        "tfface_version": __version__,
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "run_dir": str(run_dir) if run_dir else None,
        "checkpoint": checkpoint_path,
        "steps": steps,
        "weights": weights,
        "training_data": data_dir,
        "preset": (run_info or {}).get("preset"),
        "config": config_data,
        "metrics": run_metrics(run_dir),
        "signatures": describe_signatures(signatures, functions),
    }


def write_model_card(version_dir: Path, card: Mapping[str, Any]) -> Path:
    """Writes the card to `version_dir/assets.extra/model_card.json`."""
    directory = version_dir / "assets.extra"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_CARD_FILE
    path.write_text(json.dumps(card, indent=1, default=str))
    return path
