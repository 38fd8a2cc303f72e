"""Anomalies of dataset statistics against a schema (the ExampleValidator idea).

Kinds: `split_empty` (a split the schema expects has no records), `feature_missing` (a
required feature absent from some records), `unexpected_feature` (a feature the schema does
not know), `value_out_of_domain` (a label map value outside its class table),
`image_size` (decoded images of a size the schema has not seen), `reject_rate` (the job
rejected more of its inputs than the schema allows) and `schema_version` (records written
with another version of `tfface/data/features.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ANOMALIES_FILE = "anomalies.json"


@dataclass(frozen=True)
class Anomaly:
    """One disagreement between the data and the schema.

    Attributes:
        kind: one of the kinds in the module docstring.
        description: a sentence naming the split, the feature and the numbers.
        split: the split it was found in ("" for the whole dataset).
        feature: the feature concerned ("" if none).
    """

    kind: str
    description: str
    split: str = ""
    feature: str = ""


def _split_anomalies(name: str, split: Mapping[str, Any], schema: Mapping[str, Any]) -> list:
    found = []
    examples = split["examples"]
    features = schema["features"]
    for feature, expected in features.items():
        seen = split["features"].get(feature)
        missing = examples if seen is None else seen["missing"]
        if expected.get("required") and missing:
            found.append(
                Anomaly(
                    "feature_missing",
                    f"{name}: required feature {feature!r} is missing from {missing} of "
                    f"{examples} records",
                    name,
                    feature,
                )
            )
        domain = expected.get("domain")
        if domain and seen is not None and seen.get("max") is not None:
            low, high = seen["min"], seen["max"]
            if low < domain["min"] or high > domain["max"]:
                bad = sorted(
                    int(value)
                    for value in seen.get("pixel_frequencies", {})
                    if not domain["min"] <= int(value) <= domain["max"]
                )
                found.append(
                    Anomaly(
                        "value_out_of_domain",
                        f"{name}: {feature!r} has label value(s) {bad or [low, high]} outside "
                        f"the schema's domain [{domain['min']}, {domain['max']}]",
                        name,
                        feature,
                    )
                )
    for feature in sorted(set(split["features"]) - set(features)):
        found.append(
            Anomaly(
                "unexpected_feature",
                f"{name}: feature {feature!r} is not in the schema (it has: {', '.join(features)})",
                name,
                feature,
            )
        )
    sizes = schema.get("image_sizes") or []
    unknown_sizes = sorted(set(split.get("image_sizes", {})) - set(sizes))
    if sizes and unknown_sizes:
        found.append(
            Anomaly(
                "image_size",
                f"{name}: image sizes {unknown_sizes} are not in the schema ({sizes})",
                name,
                "image",
            )
        )
    return found


def find_anomalies(statistics: Mapping[str, Any], schema: Mapping[str, Any]) -> list[Anomaly]:
    """Every anomaly of `statistics` (see `statistics.py`) against `schema` (`schema.py`)."""
    found: list[Anomaly] = []
    version = schema.get("schema_version")
    if version is not None and statistics.get("schema_version") != version:
        found.append(
            Anomaly(
                "schema_version",
                f"records have schema version {statistics.get('schema_version')}, the schema "
                f"was inferred from version {version}",
            )
        )
    inputs = statistics.get("inputs") or 0
    rejected = statistics.get("rejected") or 0
    if inputs and rejected / inputs > schema["max_reject_rate"]:
        reasons = ", ".join(
            f"{reason} {count}" for reason, count in statistics.get("rejects_by_reason", {}).items()
        )
        found.append(
            Anomaly(
                "reject_rate",
                f"the job rejected {rejected} of {inputs} inputs ({rejected / inputs:.1%}), over "
                f"the schema's max_reject_rate {schema['max_reject_rate']:.1%}"
                + (f" ({reasons})" if reasons else ""),
            )
        )
    for name in schema["splits"]:
        split = statistics["splits"].get(name)
        if split is None or split["examples"] == 0:
            found.append(Anomaly("split_empty", f"split {name!r} has no records", name))
    for name, split in statistics["splits"].items():
        if split["examples"]:
            found.extend(_split_anomalies(name, split, schema))
    return found


def anomalies_report(anomalies: list[Anomaly]) -> str:
    """The readable report: one line per anomaly, or that there is none."""
    if not anomalies:
        return "no anomalies"
    lines = [f"{len(anomalies)} anomal{'y' if len(anomalies) == 1 else 'ies'}:"]
    lines += [f"  - [{anomaly.kind}] {anomaly.description}" for anomaly in anomalies]
    return "\n".join(lines)


def write_anomalies(anomalies: list[Anomaly], directory: str | Path) -> Path:
    """Writes `<directory>/anomalies.json` (a list of anomalies) and `anomalies.txt`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "anomalies.txt").write_text(anomalies_report(anomalies) + "\n")
    path = directory / ANOMALIES_FILE
    path.write_text(json.dumps([asdict(anomaly) for anomaly in anomalies], indent=1))
    return path
