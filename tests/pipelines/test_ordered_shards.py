"""The sink's ordered shards: TFRecord framing, balanced key ranges, every shard written."""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam
import pytest
import tensorflow as tf

from pipelines.common.ordered_shards import WriteOrderedShards, shard_file, shard_of
from pipelines.common.tfrecord_framing import write_records

RECORDS = [b"", b"a", b"record two", bytes(range(256)) * 40]


def test_framing_matches_tensorflows_writer(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.tfrecord", tmp_path / "theirs.tfrecord"
    with ours.open("wb") as file:
        assert write_records(file, RECORDS) == len(RECORDS)
    with tf.io.TFRecordWriter(str(theirs)) as writer:
        for record in RECORDS:
            writer.write(record)
    assert ours.read_bytes() == theirs.read_bytes()
    read = [bytes(item.numpy()) for item in tf.data.TFRecordDataset(str(ours))]
    assert read == RECORDS


def test_shards_are_contiguous_balanced_key_ranges() -> None:
    keys = sorted(f"key{index:02d}" for index in range(10))
    assignment = [shard_of(key, keys, 4) for key in keys]
    assert assignment == sorted(assignment)  # contiguous ranges in key order
    sizes = [assignment.count(shard) for shard in range(4)]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == 10
    assert [shard_of(key, keys, 1) for key in keys] == [0] * 10


def test_transform_writes_every_shard_in_key_order(tmp_path: Path) -> None:
    pairs = [(f"k{index}", f"example {index}".encode()) for index in (3, 1, 4, 0, 2)]
    with beam.Pipeline() as pipeline:
        _ = pipeline | beam.Create(pairs) | WriteOrderedShards(str(tmp_path / "train"), shards=7)
    files = [tmp_path / Path(shard_file("train", index, 7)).name for index in range(7)]
    assert all(path.exists() for path in files)  # five records, seven shards: two empty
    read = [bytes(item.numpy()) for path in files for item in tf.data.TFRecordDataset(str(path))]
    assert read == [f"example {index}".encode() for index in range(5)]
    assert not list(tmp_path.glob("*.tmp-*"))


def test_rejects_zero_shards() -> None:
    with pytest.raises(ValueError, match="shards must be >= 1"):
        WriteOrderedShards("out/train", 0)
