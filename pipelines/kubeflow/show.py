"""`tfface pipeline show ROOT`: a run's graph, each artifact with its URI and lineage.

Reads `ROOT/runs/<run id>/run.json` (the latest run, or the one asked for) and prints every
stage with its status, its output artifacts (URI, fingerprint, the run that produced it) and
the artifacts it read, named by the stage that produced them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.kubeflow.local_run import RUN_RECORD
from pipelines.kubeflow.run_graph import producers_by_uri


def run_records(root: str | Path) -> list[Path]:
    """Every run record under ROOT, oldest first.

    Raises:
        FileNotFoundError: ROOT has no runs.
    """
    runs = Path(root) / "runs"
    records = sorted(runs.glob(f"*/{RUN_RECORD}")) if runs.is_dir() else []
    if not records:
        raise FileNotFoundError(f"{root} holds no pipeline run (no runs/*/{RUN_RECORD})")
    return records


def load_run(root: str | Path, run_id: str = "") -> dict[str, Any]:
    """The record of run `run_id` (default: the latest).

    Raises:
        FileNotFoundError: no runs, or no such run (the known ones are named).
    """
    records = run_records(root)
    if not run_id:
        return json.loads(records[-1].read_text())
    for record in records:
        if record.parent.name == run_id:
            return json.loads(record.read_text())
    known = ", ".join(record.parent.name for record in records)
    raise FileNotFoundError(f"no run {run_id!r} under {root}; runs: {known}")


def _short(fingerprint: str) -> str:
    return fingerprint[:12] if fingerprint else "-"


def describe_run(record: dict[str, Any]) -> str:
    """The text `tfface pipeline show` prints."""
    stages = {stage["stage"]: stage["outputs"] for stage in record["stages"]}
    producers = producers_by_uri(stages)
    lines = [f"run {record['run_id']}: {record['status']}", f"  {record['message']}", ""]
    for stage in record["stages"]:
        lines.append(f"{stage['stage']} [{stage['status']}]")
        outputs = stage["outputs"]
        first = next(iter(outputs.values()), {}).get("metadata", {})
        for input_name, described in (first.get("inputs") or {}).items():
            source = producers.get(described.get("uri"), described.get("uri"))
            lines.append(f"  <- {input_name}: {source}")
        for name, artifact in outputs.items():
            metadata = artifact.get("metadata", {})
            producer = metadata.get("producer", {})
            lines.append(f"  -> {name}: {artifact['uri']}")
            lines.append(
                f"     fingerprint {_short(metadata.get('fingerprint', ''))}, produced by run "
                f"{producer.get('run', '?')}"
            )
        if stage["status"] == "failed" and stage["message"]:
            lines += [f"  {line}" for line in stage["message"].splitlines()]
    lines += ["", f"log: {record['log']}"]
    return "\n".join(lines)
