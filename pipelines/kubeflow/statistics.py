"""Dataset statistics per split, computed from the records themselves (the StatisticsGen idea).

For every split: the example count; for every feature how many records have it (and so how
many miss it) and the range of its values; the decoded image sizes (a histogram); for label
maps the pixel frequency of every class value. Label maps and masks are decoded from their
PNG bytes, so a value outside the class table shows as a maximum above it.

The statistics are a JSON document (`statistics.json`) that `schema.py` infers a schema from
and `anomalies.py` checks against one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tfface.data.features import FEATURES, decode_image_numpy

STATISTICS_FILE = "statistics.json"
SPLITS = ("train", "validation", "test")
# Features whose values are class labels (a histogram of pixel values is kept for them).
LABEL_FEATURES = ("label_map_19", "label_map_11", "target_label_map_11")
# Distinct values kept per text feature (domains, occluders, formats).
MAX_DISTINCT_VALUES = 64

RawRecord = Mapping[str, Sequence[Any]]  # feature name -> its values (bytes or numbers)


@dataclass
class FeatureStatistics:
    """What one split says about one feature.

    Attributes:
        present: records that have the feature.
        minimum, maximum: smallest and largest value (numbers, decoded pixels); None if none.
        values: distinct text values (text features, at most MAX_DISTINCT_VALUES).
        histogram: value -> pixel count (label maps only).
    """

    present: int = 0
    minimum: float | None = None
    maximum: float | None = None
    values: Counter = field(default_factory=Counter)
    histogram: Counter = field(default_factory=Counter)

    def add_range(self, low: float, high: float) -> None:
        self.minimum = low if self.minimum is None else min(self.minimum, low)
        self.maximum = high if self.maximum is None else max(self.maximum, high)

    def to_json(self, examples: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "present": self.present,
            "missing": examples - self.present,
            "min": self.minimum,
            "max": self.maximum,
        }
        if self.values:
            data["values"] = dict(sorted(self.values.items()))
        if self.histogram:
            total = sum(self.histogram.values())
            data["pixel_frequencies"] = {
                str(value): count / total for value, count in sorted(self.histogram.items())
            }
        return data


@dataclass
class SplitStatistics:
    """Accumulates the statistics of one split, one record at a time."""

    examples: int = 0
    features: dict[str, FeatureStatistics] = field(default_factory=dict)
    image_sizes: Counter = field(default_factory=Counter)

    def add(self, record: RawRecord) -> None:
        """Adds one record (feature name -> list of raw values)."""
        self.examples += 1
        for name, values in record.items():
            statistics = self.features.setdefault(name, FeatureStatistics())
            statistics.present += 1
            self._add_values(name, list(values), statistics)

    def _add_values(self, name: str, values: list, statistics: FeatureStatistics) -> None:
        spec = FEATURES.get(name)
        if not values:
            return
        encoding = spec.encoding if spec else ""
        if encoding in ("image", "png8"):
            pixels = decode_image_numpy(values[0])
            statistics.add_range(float(pixels.min()), float(pixels.max()))
            if encoding == "image" and name == "image":
                channels = 1 if pixels.ndim == 2 else pixels.shape[2]
                self.image_sizes[f"{pixels.shape[0]}x{pixels.shape[1]}x{channels}"] += 1
            if name in LABEL_FEATURES:
                counts = np.bincount(pixels.ravel(), minlength=1)
                for value in np.nonzero(counts)[0]:
                    statistics.histogram[int(value)] += int(counts[value])
        elif isinstance(values[0], bytes):
            if encoding:  # png16 and other encoded arrays: presence only
                return
            for value in values:
                text = value.decode("utf-8", errors="replace")
                if text in statistics.values or len(statistics.values) < MAX_DISTINCT_VALUES:
                    statistics.values[text] += 1
        else:
            numbers = np.asarray(values, dtype=np.float64)
            statistics.add_range(float(numbers.min()), float(numbers.max()))

    def to_json(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "image_sizes": dict(sorted(self.image_sizes.items())),
            "features": {
                name: statistics.to_json(self.examples)
                for name, statistics in sorted(self.features.items())
            },
        }


def split_statistics(records: Iterable[RawRecord]) -> dict[str, Any]:
    """The statistics (JSON-ready) of one split's records."""
    accumulator = SplitStatistics()
    for record in records:
        accumulator.add(record)
    return accumulator.to_json()


def raw_record(serialized: bytes) -> dict[str, list]:
    """A serialized tf.train.Example -> feature name -> list of values."""
    import tensorflow as tf

    example = tf.train.Example.FromString(serialized)
    record: dict[str, list] = {}
    for name, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        record[name] = list(getattr(feature, kind).value) if kind else []
    return record


def read_split(directory: Path, split: str) -> Iterable[dict[str, list]]:
    """The raw records of `<directory>/<split>-*.tfrecord`."""
    import tensorflow as tf

    files = sorted(str(path) for path in directory.glob(f"{split}-*.tfrecord"))
    if not files:
        return
    for serialized in tf.data.TFRecordDataset(files):
        yield raw_record(serialized.numpy())


def dataset_statistics(directory: str | Path) -> dict[str, Any]:
    """Statistics of every split of a built dataset folder, plus its dataset_info counts.

    Raises:
        FileNotFoundError: the folder or its dataset_info.json does not exist.
    """
    directory = Path(directory)
    info_path = directory / "dataset_info.json"
    if not info_path.is_file():
        raise FileNotFoundError(
            f"{directory} is not a built dataset: no dataset_info.json (written by "
            "`tfface data build`)"
        )
    info = json.loads(info_path.read_text())
    splits = sorted(
        set(SPLITS) | {path.name.split("-")[0] for path in directory.glob("*-*.tfrecord")},
        key=lambda name: (SPLITS.index(name) if name in SPLITS else len(SPLITS), name),
    )
    return {
        "dataset": str(directory),
        "schema_version": info.get("schema_version"),
        "source": info.get("source"),
        "inputs": info.get("inputs", 0),
        "accepted": info.get("accepted", 0),
        "rejected": info.get("rejected", 0),
        "rejects_by_reason": info.get("rejects_by_reason", {}),
        "splits": {split: split_statistics(read_split(directory, split)) for split in splits},
    }


def write_statistics(statistics: Mapping[str, Any], directory: str | Path) -> Path:
    """Writes `<directory>/statistics.json`."""
    path = Path(directory) / STATISTICS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(statistics, indent=1))
    return path


def read_statistics(directory: str | Path) -> dict[str, Any]:
    """Reads `<directory>/statistics.json`."""
    path = Path(directory) / STATISTICS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {STATISTICS_FILE} in {directory}")
    return json.loads(path.read_text())
