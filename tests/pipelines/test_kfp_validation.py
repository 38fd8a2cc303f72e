"""Statistics, schema inference and anomalies of the pipeline's data gate (no TensorFlow:
records are given as raw feature lists)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.kubeflow.anomalies import anomalies_report, find_anomalies
from pipelines.kubeflow.schema import (
    infer_schema,
    keep_schema,
    kept_schema_digest,
    read_schema,
    write_schema,
)
from pipelines.kubeflow.statistics import split_statistics
from tfface.data.features import encode_png


def raw_record(key: str, labels: np.ndarray, size: int = 8, with_pose: bool = True) -> dict:
    """A raw record: feature name -> list of values, as `statistics.raw_record` returns."""
    image = np.full((size, size, 3), 100, np.uint8)
    record = {
        "key": [key.encode()],
        "image": [encode_png(image)],
        "label_map_11": [encode_png(labels.astype(np.uint8))],
        "domain": [b"rgb"],
    }
    if with_pose:
        record["pose"] = [10.0, -5.0, 0.0]
    return record


def labels(values: tuple[int, ...], size: int = 8) -> np.ndarray:
    """A label map whose pixels take `values` in equal bands."""
    return np.repeat(np.array(values), size * size // len(values)).reshape(size, size)


def statistics_of(splits: dict[str, list[dict]], inputs: int = 0, rejected: int = 0) -> dict:
    return {
        "dataset": "data",
        "schema_version": 1,
        "inputs": inputs,
        "accepted": inputs - rejected,
        "rejected": rejected,
        "rejects_by_reason": {"corrupt image": rejected} if rejected else {},
        "splits": {name: split_statistics(records) for name, records in splits.items()},
    }


@pytest.fixture
def good() -> dict:
    records = [raw_record(f"k{index}", labels((0, 1, 10, 10))) for index in range(3)]
    return statistics_of({"train": records, "test": records[:1]}, inputs=4)


def test_split_statistics_counts_presence_ranges_sizes_and_class_pixels() -> None:
    records = [
        raw_record("a", labels((0, 1))),
        raw_record("b", labels((0, 0, 0, 5)), with_pose=False),
    ]
    statistics = split_statistics(records)
    assert statistics["examples"] == 2
    assert statistics["image_sizes"] == {"8x8x3": 2}
    pose = statistics["features"]["pose"]
    assert (pose["present"], pose["missing"], pose["min"], pose["max"]) == (1, 1, -5.0, 10.0)
    label_map = statistics["features"]["label_map_11"]
    assert (label_map["min"], label_map["max"]) == (0.0, 5.0)
    # a: 32 + 32 pixels of 0 and 1; b: 48 of 0 and 16 of 5 -> 80 / 32 / 16 of 128
    assert label_map["pixel_frequencies"] == {"0": 80 / 128, "1": 32 / 128, "5": 16 / 128}
    assert statistics["features"]["domain"]["values"] == {"rgb": 2}


def test_schema_takes_label_domains_from_the_class_table_not_the_data(good: dict) -> None:
    schema = infer_schema(good)
    assert schema["splits"] == ["train", "test"]
    assert schema["features"]["label_map_11"]["domain"] == {"min": 0, "max": 10}
    assert schema["features"]["pose"]["required"] is True
    assert schema["image_sizes"] == ["8x8x3"]
    assert find_anomalies(good, schema) == []
    assert anomalies_report([]) == "no anomalies"


def test_a_feature_some_records_lack_is_not_required() -> None:
    records = [raw_record("a", labels((0,))), raw_record("b", labels((0,)), with_pose=False)]
    schema = infer_schema(statistics_of({"train": records}))
    assert schema["features"]["pose"]["required"] is False
    assert schema["features"]["image"]["required"] is True


def test_label_out_of_range_is_an_anomaly(good: dict) -> None:
    schema = infer_schema(good)
    bad = [raw_record("x", labels((0, 200))), raw_record("y", labels((3,)))]
    found = find_anomalies(statistics_of({"train": bad, "test": bad}, inputs=4), schema)
    kinds = {(anomaly.kind, anomaly.split) for anomaly in found}
    assert kinds == {("value_out_of_domain", "train"), ("value_out_of_domain", "test")}
    assert "[200]" in found[0].description and "[0, 10]" in found[0].description
    assert "2 anomalies" in anomalies_report(found)


def test_missing_feature_empty_split_unexpected_feature_and_size(good: dict) -> None:
    schema = infer_schema(good)
    train = [raw_record("a", labels((0,)), size=16, with_pose=False)]
    train[0]["occluder"] = [b"hand"]
    found = find_anomalies(statistics_of({"train": train, "test": []}, inputs=1), schema)
    described = {anomaly.kind: anomaly for anomaly in found}
    assert set(described) == {"feature_missing", "split_empty", "unexpected_feature", "image_size"}
    assert "'pose' is missing from 1 of 1" in described["feature_missing"].description
    assert described["split_empty"].split == "test"
    assert described["unexpected_feature"].feature == "occluder"
    assert "16x16x3" in described["image_size"].description


def test_reject_rate_and_schema_version(good: dict) -> None:
    schema = infer_schema(good, max_reject_rate=0.1)
    records = [raw_record("a", labels((0,)))]
    statistics = statistics_of({"train": records, "test": records}, inputs=10, rejected=2)
    statistics["schema_version"] = 2
    found = {anomaly.kind: anomaly for anomaly in find_anomalies(statistics, schema)}
    assert set(found) == {"reject_rate", "schema_version"}
    assert "2 of 10 inputs (20.0%)" in found["reject_rate"].description
    assert "corrupt image 2" in found["reject_rate"].description
    within = statistics_of({"train": records, "test": records}, inputs=10, rejected=1)
    assert find_anomalies(within, schema) == []


def test_schema_inference_rejects_empty_data_and_bad_rates() -> None:
    with pytest.raises(ValueError, match="has no records"):
        infer_schema(statistics_of({"train": []}))
    with pytest.raises(ValueError, match="max_reject_rate"):
        infer_schema(statistics_of({"train": [raw_record("a", labels((0,)))]}), 1.5)


def test_kept_schema_digest_is_empty_until_the_file_is_edited(good: dict, tmp_path) -> None:
    kept = tmp_path / "schema" / "schema.json"
    assert kept_schema_digest(kept) == ""
    keep_schema(infer_schema(good), kept)
    assert kept_schema_digest(kept) == ""
    schema = read_schema(kept)
    schema["max_reject_rate"] = 0.5
    write_schema(schema, kept)
    assert len(kept_schema_digest(kept)) == 64


def test_read_schema_names_what_is_wrong(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_schema(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not JSON"):
        read_schema(tmp_path / "bad.json")
    (tmp_path / "partial.json").write_text('{"splits": []}')
    with pytest.raises(ValueError, match="misses"):
        read_schema(tmp_path / "partial.json")
