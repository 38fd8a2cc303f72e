"""Checking a built dataset folder against the schema and its own `dataset_info.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tfface.data.features import FEATURES, SCHEMA_VERSION, decode_example_numpy

SPLITS = ("train", "validation", "test")


@dataclass
class ValidationReport:
    """What `validate_dataset` found: counts per split and every problem."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_record(record: dict, key_seen: set[str], report: ValidationReport, split: str) -> None:
    key = record.get("key", "<missing key>")
    if "key" not in record:
        report.problems.append(f"{split}: a record has no key")
    elif key in key_seen:
        report.problems.append(f"{split}: duplicate key {key}")
    key_seen.add(key)
    if record.get("split", split) != split:
        report.problems.append(f"{key}: stored in {split} but says split {record['split']!r}")
    if "image" in record:
        image = record["image"]
        shape = (record.get("height"), record.get("width"))
        if image.shape[:2] != shape:
            report.problems.append(f"{key}: image is {image.shape[:2]}, header says {shape}")
        for name in (
            "label_map_19",
            "label_map_11",
            "face_mask",
            "occlusion_mask",
            "hole_mask",
            "uv_coords",
        ):
            if name in record and record[name].shape[:2] != image.shape[:2]:
                report.problems.append(
                    f"{key}: {name} is {record[name].shape[:2]}, image is {image.shape[:2]}"
                )
    for name, classes in (("label_map_19", 19), ("label_map_11", 11), ("target_label_map_11", 11)):
        if name in record and int(np.max(record[name])) >= classes:
            report.problems.append(
                f"{key}: {name} has label {int(np.max(record[name]))} >= {classes}"
            )


def validate_dataset(directory: str | Path, max_records: int | None = None) -> ValidationReport:
    """Reads every record of every split, decodes it by the schema and compares counts with the info file.

    Args:
        directory: a folder written by a `tfface data build` job.
        max_records: stop decoding after this many records per split (counts are still complete).

    Raises:
        FileNotFoundError: `directory` does not exist.
        NotADirectoryError: `directory` is a file.
    """
    directory = Path(directory)
    if not directory.exists():
        raise FileNotFoundError(f"dataset folder {directory} does not exist")
    if not directory.is_dir():
        raise NotADirectoryError(
            f"{directory} is not a folder: pass the folder `tfface data build --output` wrote"
        )
    import tensorflow as tf

    report = ValidationReport()
    info_path = directory / "dataset_info.json"
    if not info_path.exists():
        report.problems.append(f"{info_path} is missing")
        return report
    info = json.loads(info_path.read_text())
    if info.get("schema_version") != SCHEMA_VERSION:
        report.problems.append(
            f"schema version {info.get('schema_version')} != {SCHEMA_VERSION} of this tfface"
        )
    declared = set(info.get("features", []))
    unknown = declared - set(FEATURES)
    if unknown:
        report.problems.append(f"dataset_info lists unknown features {sorted(unknown)}")
    keys: set[str] = set()
    for split in SPLITS:
        files = sorted(str(path) for path in directory.glob(f"{split}-*.tfrecord"))
        count = 0
        try:
            for serialized in tf.data.TFRecordDataset(files):
                count += 1
                if max_records is not None and count > max_records:
                    continue
                try:
                    record = decode_example_numpy(serialized.numpy())
                except Exception as error:  # report every undecodable record, keep going
                    report.problems.append(f"{split} record {count}: cannot decode ({error})")
                    continue
                report.checked += 1
                missing = set(record) - declared
                if declared and missing:
                    report.problems.append(
                        f"{record.get('key')}: features {sorted(missing)} not in dataset_info"
                    )
                _check_record(record, keys, report, split)
        except tf.errors.DataLossError as error:
            report.problems.append(f"{split}: corrupt TFRecord file ({error.message})")
        report.counts[split] = count
        expected = info.get("counts", {}).get(split, 0)
        if count != expected:
            report.problems.append(
                f"{split}: {count} records on disk, dataset_info says {expected}"
            )
    rejects = directory / "rejects.jsonl"
    if rejects.exists():
        lines = [line for line in rejects.read_text().splitlines() if line.strip()]
        if len(lines) != info.get("rejected", 0):
            report.problems.append(
                f"rejects.jsonl has {len(lines)} lines, dataset_info says {info.get('rejected')}"
            )
    if info.get("accepted", 0) + info.get("rejected", 0) != info.get("inputs", -1):
        report.problems.append("accepted + rejected != inputs in dataset_info")
    return report
