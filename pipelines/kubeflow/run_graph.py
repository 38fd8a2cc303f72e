"""A run's artifact graph, rebuilt from the artifacts' lineage.

Every task's outputs and their metadata are in `executor_output.json` beside them (written by
KFP's executor; a cached task's is in the run that produced it). Starting from the last
artifacts of a run (the pusher's, or a failed stage's), `collect_stages` follows each
artifact's `inputs` back to the producing tasks, so cached stages are found too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

EXECUTOR_OUTPUT = "executor_output.json"

ArtifactRecord = dict[str, Any]  # {"uri": ..., "metadata": {...}}


def task_outputs(artifact_uri: str) -> dict[str, ArtifactRecord]:
    """Output name -> {uri, metadata} of the task that wrote `artifact_uri` ({} if unknown)."""
    path = Path(artifact_uri).parent / EXECUTOR_OUTPUT
    if not path.is_file():
        return {}
    written = json.loads(path.read_text())
    outputs = {}
    for name, entry in written.get("artifacts", {}).items():
        for artifact in entry.get("artifacts", [])[:1]:
            outputs[name] = {"uri": artifact["uri"], "metadata": artifact.get("metadata", {})}
    return outputs


def collect_stages(
    start: Mapping[str, Mapping[str, ArtifactRecord]],
) -> dict[str, dict[str, ArtifactRecord]]:
    """Stage -> its outputs, for `start` (stage -> outputs) and every stage upstream of it."""
    stages: dict[str, dict[str, ArtifactRecord]] = {
        stage: dict(outputs) for stage, outputs in start.items()
    }
    pending = [artifact for outputs in start.values() for artifact in outputs.values()]
    seen: set[str] = set()
    while pending:
        artifact = pending.pop()
        for described in (artifact.get("metadata", {}).get("inputs") or {}).values():
            uri = described.get("uri", "")
            if not uri or uri in seen:
                continue
            seen.add(uri)
            outputs = task_outputs(uri)
            for record in outputs.values():
                component = record["metadata"].get("producer", {}).get("component")
                if component:
                    stages.setdefault(component, {}).update(outputs)
                    break
            pending.extend(outputs.values())
    return stages


def producers_by_uri(stages: Mapping[str, Mapping[str, ArtifactRecord]]) -> dict[str, str]:
    """Artifact URI -> `stage.output` (for drawing the input edges)."""
    return {
        artifact["uri"]: f"{stage}.{name}"
        for stage, outputs in stages.items()
        for name, artifact in outputs.items()
    }


def ordered(stages: Iterable[str], order: Iterable[str]) -> list[str]:
    """`stages` in pipeline order (unknown names last, alphabetically)."""
    order = list(order)
    return sorted(
        stages, key=lambda name: (order.index(name) if name in order else len(order), name)
    )
