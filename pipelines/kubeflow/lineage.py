"""Lineage: what every artifact says about where it comes from, and the stage ledger of a run.

Every output artifact's metadata holds

    fingerprint   SHA-256 of its files (`fingerprint.content_fingerprint`)
    producer      the component, the pipeline run (the folder KFP gave the task), the tfface
                  version and when it finished
    inputs        name -> URI and fingerprint of every input artifact
    config        the parameters the component ran with

so a served model's card can point back through evaluation, training and validation to the
dataset and the job options that built it. Locally, each stage that runs (not one taken from
the cache) also writes `<stage>.json` into the ledger folder named by `TFFACE_PIPELINE_LEDGER`:
its status, its message and its artifacts; `tfface pipeline run` reads the ledger to print the
stages and the reason of a failure. The variable is inherited by the stage processes and is not
part of the cache key.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.kubeflow.fingerprint import content_fingerprint
from tfface import __version__

LEDGER_VARIABLE = "TFFACE_PIPELINE_LEDGER"


def producer_run(uri: str) -> str:
    """The pipeline run that produced an artifact: the folder above its task's folder
    (`<pipeline_root>/<run>/<task>/<output>`)."""
    parts = uri.rstrip("/").split("/")
    return parts[-3] if len(parts) >= 3 else ""


def describe_input(artifact: Any) -> dict[str, Any]:
    """URI and fingerprint of an input artifact (anything with `uri` and `metadata`)."""
    metadata = dict(getattr(artifact, "metadata", {}) or {})
    return {"uri": artifact.uri, "fingerprint": metadata.get("fingerprint", "")}


def lineage_metadata(
    component: str,
    output_uri: str,
    output_path: str,
    inputs: Mapping[str, Any],
    config: Mapping[str, Any],
) -> dict[str, Any]:
    """The lineage fields of an output artifact whose files are complete at `output_path`."""
    return {
        "fingerprint": content_fingerprint(output_path) if Path(output_path).exists() else "",
        "producer": {
            "component": component,
            "run": producer_run(output_uri),
            "tfface_version": __version__,
            "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        },
        "inputs": {name: describe_input(artifact) for name, artifact in inputs.items()},
        "config": dict(config),
    }


def ledger_directory() -> Path | None:
    """The ledger folder of the current local run, or None (a cluster run has none)."""
    location = os.environ.get(LEDGER_VARIABLE, "")
    return Path(location) if location else None


def record_stage(
    stage: str,
    status: str,
    message: str,
    artifacts: Mapping[str, Any] | None = None,
) -> None:
    """Writes `<ledger>/<stage>.json` (nothing when there is no ledger).

    Args:
        stage: the component name.
        status: "succeeded" or "failed".
        message: one line (or a short report) saying what happened.
        artifacts: output name -> artifact (with `uri` and `metadata`).
    """
    ledger = ledger_directory()
    if ledger is None:
        return
    ledger.mkdir(parents=True, exist_ok=True)
    entry = {
        "stage": stage,
        "status": status,
        "message": message,
        "artifacts": {
            name: {"uri": artifact.uri, "metadata": dict(artifact.metadata)}
            for name, artifact in (artifacts or {}).items()
        },
    }
    temporary = ledger / f".{stage}.json.tmp"
    temporary.write_text(json.dumps(entry, indent=1, default=str))
    os.replace(temporary, ledger / f"{stage}.json")


def read_ledger(ledger: Path) -> dict[str, dict[str, Any]]:
    """Stage name -> ledger entry of every stage that ran in a local run."""
    if not ledger.is_dir():
        return {}
    return {path.stem: json.loads(path.read_text()) for path in sorted(ledger.glob("*.json"))}
