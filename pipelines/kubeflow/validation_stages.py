"""StatisticsGen, SchemaGen and ExampleValidator: the data gate before training.

Each function is what its component runs, on plain folders: statistics of the Dataset
artifact, a schema (inferred, or the kept one), and the anomalies of the statistics against
the schema, which fail the run unless `continue_on_anomalies`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.kubeflow.anomalies import anomalies_report, find_anomalies, write_anomalies
from pipelines.kubeflow.failures import StageFailure
from pipelines.kubeflow.schema import (
    SCHEMA_FILE,
    infer_schema,
    keep_schema,
    read_schema,
    write_schema,
)
from pipelines.kubeflow.statistics import dataset_statistics, read_statistics, write_statistics


def generate_statistics(examples_dir: str, output_dir: str) -> dict[str, Any]:
    """Writes `<output_dir>/statistics.json`; returns the artifact metadata (examples per
    split)."""
    statistics = dataset_statistics(examples_dir)
    write_statistics(statistics, output_dir)
    return {
        "examples": {name: split["examples"] for name, split in statistics["splits"].items()},
        "image_sizes": sorted(
            {size for split in statistics["splits"].values() for size in split["image_sizes"]}
        ),
    }


def generate_schema(
    statistics_dir: str, output_dir: str, kept_schema: str, max_reject_rate: float
) -> dict[str, Any]:
    """Writes `<output_dir>/schema.json`: the kept schema if `kept_schema` names an existing
    file, else one inferred from the statistics (and kept there when `kept_schema` is set).

    Raises:
        StageFailure: the kept schema is not a schema, or there is nothing to infer from.
    """
    try:
        if kept_schema and Path(kept_schema).is_file():
            schema, origin = read_schema(kept_schema), f"kept schema {kept_schema}"
        else:
            schema = infer_schema(read_statistics(statistics_dir), max_reject_rate)
            origin = "inferred"
            if kept_schema:
                keep_schema(schema, kept_schema)
                origin = f"inferred, kept as {kept_schema}"
    except ValueError as error:
        raise StageFailure(str(error)) from None
    write_schema(schema, Path(output_dir) / SCHEMA_FILE)
    return {
        "origin": origin,
        "splits": schema["splits"],
        "required_features": sorted(
            name for name, feature in schema["features"].items() if feature.get("required")
        ),
    }


def validate_examples(
    statistics_dir: str, schema_dir: str, output_dir: str, continue_on_anomalies: bool
) -> dict[str, Any]:
    """Writes `<output_dir>/anomalies.json` and `anomalies.txt`.

    Raises:
        StageFailure: there are anomalies and `continue_on_anomalies` is false; the message
            is the readable report.
    """
    anomalies = find_anomalies(
        read_statistics(statistics_dir), read_schema(Path(schema_dir) / SCHEMA_FILE)
    )
    write_anomalies(anomalies, output_dir)
    report = anomalies_report(anomalies)
    if anomalies and not continue_on_anomalies:
        raise StageFailure(
            f"{report}\n(report: {Path(output_dir) / 'anomalies.txt'}; fix the data, edit the "
            "kept schema, or pass --continue-on-anomalies)"
        )
    return {"anomalies": len(anomalies), "kinds": sorted({item.kind for item in anomalies})}
