"""Writing one split as TFRecord shards whose bytes depend only on the records.

Beam's `WriteToTFRecord` assigns records to shards by bundle and writes them in arrival
order, so the same job gives different shards on every run and every worker count (and a
short training run is not reproducible from "the same" dataset). Here:

1. the keys of the split are collected and sorted (keys only: a few dozen bytes per record);
2. record i of n in key order goes to shard floor(i * shards / n): contiguous key ranges,
   balanced to one record;
3. each shard's records are sorted by (key, bytes) on one worker and written with the
   TFRecord framing through Beam's filesystems, to a temporary name renamed at the end.

Every shard file is written, empty ones too, so the file names never depend on the data.
A shard is sorted in the memory of one worker: choose `--shards` so that one shard fits
(the default of a few hundred MB per shard is typical for TFRecord datasets).
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from pipelines.common.tfrecord_framing import write_records


def shard_file(prefix: str, index: int, shards: int) -> str:
    """`PREFIX-00000-of-00004.tfrecord`, the names Beam's shard template gave."""
    return f"{prefix}-{index:05d}-of-{shards:05d}.tfrecord"


def shard_of(key: str, sorted_keys: list[str], shards: int) -> int:
    """The shard of `key`: its rank among the split's sorted keys, in `shards` equal runs."""
    rank = bisect.bisect_left(sorted_keys, key)
    return min(rank * shards // max(len(sorted_keys), 1), shards - 1)


class _WriteShard(beam.DoFn):
    """(shard index, {"records": [(key, bytes), ...], "index": [...]}) -> the shard's path."""

    def __init__(self, prefix: str, shards: int) -> None:
        self.prefix = prefix
        self.shards = shards

    def process(self, element: tuple[int, dict[str, Iterable]]) -> Iterable[str]:
        index, grouped = element
        records = sorted(grouped["records"])  # by key, then bytes: the same on every run
        path = shard_file(self.prefix, index, self.shards)
        temporary = f"{path}.tmp-{uuid.uuid4().hex}"
        with FileSystems.create(temporary) as file:
            write_records(file, (example for _, example in records))
        if FileSystems.exists(path):
            FileSystems.delete([path])
        FileSystems.rename([temporary], [path])
        yield path


class WriteOrderedShards(beam.PTransform):
    """(key, serialised example) pairs -> `shards` TFRecord files in key order.

    Args:
        prefix: output path prefix (`OUTPUT/train`); files `PREFIX-SSSSS-of-NNNNN.tfrecord`.
        shards: number of shard files (>= 1), all written even when some are empty.
    """

    def __init__(self, prefix: str, shards: int) -> None:
        super().__init__()
        if shards < 1:
            raise ValueError(f"shards must be >= 1, got {shards}")
        self.prefix = prefix
        self.shards = shards

    def expand(self, keyed_examples):
        shards = self.shards
        sorted_keys = (
            keyed_examples
            | "Keys" >> beam.Keys()
            | "AllKeys" >> beam.combiners.ToList()
            | "Sort" >> beam.Map(sorted)
        )
        assigned = keyed_examples | "AssignShard" >> beam.Map(
            lambda pair, keys: (shard_of(pair[0], keys, shards), pair),
            keys=beam.pvalue.AsSingleton(sorted_keys),
        )
        every_shard = keyed_examples.pipeline | "ShardIndices" >> beam.Create(
            [(index, None) for index in range(shards)]
        )
        return (
            {"records": assigned, "index": every_shard}
            | "GroupShards" >> beam.CoGroupByKey()
            | "WriteShards" >> beam.ParDo(_WriteShard(self.prefix, shards))
        )
