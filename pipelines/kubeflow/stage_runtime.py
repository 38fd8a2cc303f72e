"""What every component does around its library call: lineage, the ledger, clean failures.

`run_stage` runs the stage's body, adds the lineage fields (`lineage.lineage_metadata`) to
every output artifact's metadata, records the stage in the local run's ledger, and turns a
`StageFailure` (or a ValueError / FileNotFoundError about the inputs) into its message on
stderr and exit status 1, so the run ends with the reason instead of a traceback. Any other
exception is recorded too, and raised with its traceback (it lands in the run's log).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipelines.kubeflow.failures import StageFailure
from pipelines.kubeflow.lineage import lineage_metadata, record_stage

StageBody = Callable[[], tuple[dict[str, dict[str, Any]], str]]


def output_location(artifact: Any) -> str:
    """Where a stage writes an output artifact: its local path (KFP maps gs:// URIs to
    /gcs/... on Vertex AI), or the URI itself for Beam filesystems that are not mounted."""
    if "://" in artifact.uri and not artifact.uri.startswith(("gs://", "s3://", "minio://")):
        return artifact.uri
    return artifact.path


def run_stage(
    stage: str,
    outputs: Mapping[str, Any],
    inputs: Mapping[str, Any],
    config: Mapping[str, Any],
    body: StageBody,
) -> None:
    """Runs `body` (returning output name -> extra metadata, and a one-line message).

    Args:
        stage: the component name.
        outputs: output name -> the KFP output artifact.
        inputs: input name -> the KFP input artifact (for the lineage).
        config: the component's parameters (for the lineage).
        body: the stage's work; it writes the output artifacts' files.
    """
    print(f"tfface pipeline: {stage} running", file=sys.stderr, flush=True)
    try:
        extra, message = body()
    except (StageFailure, ValueError, FileNotFoundError) as error:
        for artifact in outputs.values():
            artifact.metadata.update(
                lineage_metadata(stage, artifact.uri, artifact.path, inputs, config)
            )
        record_stage(stage, "failed", str(error), outputs)
        print(f"tfface pipeline: {stage} failed: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    except Exception as error:  # a bug or an environment problem: keep the traceback
        message = f"{type(error).__name__}: {error} (traceback in the run's pipeline.log)"
        record_stage(stage, "failed", message, outputs)
        print(f"tfface pipeline: {stage} failed: {message}", file=sys.stderr, flush=True)
        raise
    for name, artifact in outputs.items():
        Path(artifact.path).parent.mkdir(parents=True, exist_ok=True)
        artifact.metadata.update(extra.get(name, {}))
        artifact.metadata.update(
            lineage_metadata(stage, artifact.uri, artifact.path, inputs, config)
        )
    record_stage(stage, "succeeded", message, outputs)
    print(f"tfface pipeline: {stage} succeeded: {message}", file=sys.stderr, flush=True)
