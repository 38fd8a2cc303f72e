"""ExampleGen: a tfface Beam job (or an already built dataset) -> the Dataset artifact's folder.

`source` is a job of `tfface data build` (`pipelines.sources.SOURCES`) with its own options
and Beam's in `job_arguments` (a cluster run adds `--runner DataflowRunner ...`); the output
folder is the artifact's, so `--output` is not accepted. The source `import` copies a folder
that `tfface data build` already wrote (`--input DIR`), like TFX's ImportExampleGen.
"""

from __future__ import annotations

import importlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines.kubeflow.failures import StageFailure
from pipelines.sources import SOURCES

IMPORT_SOURCE = "import"


def known_sources() -> list[str]:
    """Every source name example_gen accepts."""
    return sorted([*SOURCES, IMPORT_SOURCE])


def check_source(source: str, job_arguments: Sequence[str]) -> None:
    """Rejects an unknown source and arguments the pipeline sets itself.

    Raises:
        ValueError: with the known sources, or naming the argument.
    """
    if source not in SOURCES and source != IMPORT_SOURCE:
        raise ValueError(f"unknown source {source!r}; sources: {', '.join(known_sources())}")
    for argument in job_arguments:
        if argument == "--output" or argument.startswith("--output="):
            raise ValueError(
                "do not pass --output to the job: example_gen writes into its Dataset artifact"
            )
    if source == IMPORT_SOURCE and import_location(job_arguments) is None:
        raise ValueError("source 'import' needs --input DIR (a folder `tfface data build` wrote)")


def import_location(job_arguments: Sequence[str]) -> str | None:
    """The value of `--input` in the job arguments (None if absent)."""
    for index, argument in enumerate(job_arguments):
        if argument == "--input" and index + 1 < len(job_arguments):
            return job_arguments[index + 1]
        if argument.startswith("--input="):
            return argument.split("=", 1)[1]
    return None


def import_dataset(source_dir: Path, output_dir: Path) -> None:
    """Copies a built dataset folder (records, dataset_info.json, rejects.jsonl)."""
    if not (source_dir / "dataset_info.json").is_file():
        raise StageFailure(
            f"{source_dir} is not a built dataset: no dataset_info.json (written by "
            "`tfface data build`)"
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(source_dir.iterdir()):
        if path.is_file() and (path.suffix in (".tfrecord", ".json", ".jsonl")):
            shutil.copy2(path, output_dir / path.name)


def dataset_metadata(output_dir: Path) -> dict[str, Any]:
    """Counts, rejects and schema version of a built dataset (from its dataset_info.json)."""
    info = json.loads((output_dir / "dataset_info.json").read_text())
    return {
        "source": info.get("source"),
        "schema_version": info.get("schema_version"),
        "counts": info.get("counts", {}),
        "inputs": info.get("inputs", 0),
        "accepted": info.get("accepted", 0),
        "rejected": info.get("rejected", 0),
        "rejects_by_reason": info.get("rejects_by_reason", {}),
        "rejects_file": str(output_dir / "rejects.jsonl"),
    }


def generate_examples(source: str, job_arguments: Sequence[str], output: str) -> dict[str, Any]:
    """Runs the source's Beam job (or the import) into `output`; returns the artifact metadata.

    Args:
        source: a `tfface data build` source or "import".
        job_arguments: the job's options and Beam pipeline options.
        output: the Dataset artifact's folder (a local path, or a Beam filesystem URL on a
            cluster).

    Raises:
        ValueError: unknown source or --output among the arguments.
        StageFailure: the job failed, or the imported folder is not a dataset.
    """
    check_source(source, job_arguments)
    output_dir = Path(output)
    if source == IMPORT_SOURCE:
        import_dataset(Path(import_location(job_arguments)), output_dir)
    else:
        module = importlib.import_module(SOURCES[source])
        try:
            info = module.main([*job_arguments, "--output", output])
        except SystemExit as exit_info:  # the job's parser rejected an option
            raise StageFailure(
                f"the {source} job rejected its options {list(job_arguments)} (exit "
                f"{exit_info.code}); `tfface data build {source} --help` lists them"
            ) from None
        if info is None:
            raise StageFailure(f"the Beam job {source} did not finish (see its log above)")
    if "://" in output:  # a remote dataset: the job's info is what we know
        return {"source": source}
    return dataset_metadata(output_dir)
