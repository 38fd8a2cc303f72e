"""The dataset schema the validator checks against (the SchemaGen idea): inferred once, kept.

Inferred from the statistics of a dataset that is taken to be good: the splits that have
records, the features every record has (required) and the ones only some have, the image
sizes, and the value domain of each label map from its class table (`tfface.data.labels`:
0..18 for CELEBAMASK_HQ_19, 0..10 for PORTRAIT_11), never from the values seen, so a bad
label in the first dataset is still caught. A pipeline run keeps the schema it inferred in
`<root>/schema/schema.json`; later runs check their data against that file, which may be
edited (curated) by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tfface.data.features import FEATURES
from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11

SCHEMA_FILE = "schema.json"
# The digest schema_gen wrote beside a kept schema: a kept file that no longer matches it
# was edited by hand (`kept_schema_digest`).
DIGEST_SUFFIX = ".sha256"
DEFAULT_MAX_REJECT_RATE = 0.05
LABEL_DOMAINS = {
    "label_map_19": CELEBAMASK_HQ_19.num_classes,
    "label_map_11": PORTRAIT_11.num_classes,
    "target_label_map_11": PORTRAIT_11.num_classes,
}


def infer_schema(
    statistics: Mapping[str, Any], max_reject_rate: float = DEFAULT_MAX_REJECT_RATE
) -> dict[str, Any]:
    """A schema from dataset statistics (`statistics.dataset_statistics`).

    Raises:
        ValueError: the statistics have no records at all, or a bad reject rate.
    """
    if not 0.0 <= max_reject_rate <= 1.0:
        raise ValueError(f"max_reject_rate must be in [0, 1], got {max_reject_rate}")
    splits = {name: split for name, split in statistics["splits"].items() if split["examples"] > 0}
    if not splits:
        raise ValueError(f"cannot infer a schema: {statistics.get('dataset')} has no records")
    features: dict[str, Any] = {}
    for split in splits.values():
        for name, feature in split["features"].items():
            entry = features.setdefault(name, {"required": True})
            entry["required"] = entry["required"] and feature["missing"] == 0
    for split in splits.values():  # a feature absent from a whole split is not required
        for name in set(features) - set(split["features"]):
            features[name]["required"] = False
    for name, entry in features.items():
        spec = FEATURES.get(name)
        entry["kind"] = spec.kind if spec else "unknown"
        if name in LABEL_DOMAINS:
            entry["domain"] = {"min": 0, "max": LABEL_DOMAINS[name] - 1}
    image_sizes = sorted({size for split in splits.values() for size in split["image_sizes"]})
    return {
        "schema_version": statistics.get("schema_version"),
        "inferred_from": statistics.get("dataset"),
        "splits": sorted(splits, key=list(statistics["splits"]).index),
        "features": dict(sorted(features.items())),
        "image_sizes": image_sizes,
        "max_reject_rate": max_reject_rate,
    }


def write_schema(schema: Mapping[str, Any], path: str | Path) -> Path:
    """Writes the schema as JSON (and, for a kept schema, its digest beside it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(schema, indent=1)
    path.write_text(text)
    return path


def read_schema(path: str | Path) -> dict[str, Any]:
    """Reads and checks a schema file.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a schema (its missing keys are named).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"schema file {path} does not exist")
    try:
        schema = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"schema file {path} is not JSON: {error}") from error
    missing = {"splits", "features", "max_reject_rate"} - set(schema)
    if missing:
        raise ValueError(f"schema file {path} misses {sorted(missing)}")
    return schema


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def keep_schema(schema: Mapping[str, Any], kept_path: str | Path) -> Path:
    """Writes the kept schema and the digest that marks it as written by schema_gen."""
    kept_path = write_schema(schema, kept_path)
    Path(f"{kept_path}{DIGEST_SUFFIX}").write_text(file_digest(kept_path))
    return kept_path


def kept_schema_digest(kept_path: str | Path) -> str:
    """What a run passes to schema_gen about the kept schema, for the cache key: "" when there
    is none or it is as schema_gen wrote it (the schema then follows from the statistics, and
    the cached schema stands), else the digest of the hand-edited file (schema_gen re-runs)."""
    kept_path = Path(kept_path)
    if not kept_path.is_file():
        return ""
    digest = file_digest(kept_path)
    marker = Path(f"{kept_path}{DIGEST_SUFFIX}")
    if marker.is_file() and marker.read_text().strip() == digest:
        return ""
    return digest
