"""Writing a job's results: sharded TFRecords per split, rejects, and `dataset_info.json`.

Output layout:

    OUTPUT/train-00000-of-00004.tfrecord ...    serialised tf.train.Example per split, in key
                                                order (`ordered_shards`: the same bytes on
                                                every run and any number of workers)
    OUTPUT/validation-00000-of-00001.tfrecord
    OUTPUT/test-00000-of-00001.tfrecord
    OUTPUT/rejects.jsonl                        one {"key", "reason", "detail"} per reject
    OUTPUT/dataset_info.json                    schema version, counts, statistics, rejects
"""

from __future__ import annotations

import json
from typing import Any

import apache_beam as beam

from pipelines.common.ordered_shards import WriteOrderedShards
from pipelines.common.records import Accepted, Rejected
from pipelines.common.stats import DatasetInfoCombineFn
from tfface import __version__
from tfface.data.features import SCHEMA_VERSION
from tfface.data.splits import SPLITS


def _finish_info(
    info: dict[str, Any], source: str, shards: dict[str, int], extra: dict[str, Any]
) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tfface_version": __version__,
        "source": source,
        "shards": shards,
        **info,
        **extra,
    }
    document["counts"] = {split: document["counts"].get(split, 0) for split in SPLITS}
    return json.dumps(document, indent=1, sort_keys=False)


class WriteDataset(beam.PTransform):
    """Writes Accepted / Rejected elements as a tfface dataset folder.

    Args:
        output: output folder (any Beam filesystem path: local, gs://, s3://, hdfs://).
        source: name of the source job (recorded in dataset_info.json).
        shards: number of TFRecord shards per split.
        extra_info: more entries for dataset_info.json (job options, config).
    """

    def __init__(
        self,
        output: str,
        source: str,
        shards: dict[str, int],
        extra_info: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.output = output.rstrip("/")
        self.source = source
        self.shards = shards
        self.extra_info = extra_info or {}

    def expand(self, results):
        accepted = results | "Accepted" >> beam.Filter(
            lambda element: isinstance(element, Accepted)
        )
        rejected = results | "Rejected" >> beam.Filter(
            lambda element: isinstance(element, Rejected)
        )
        by_split = accepted | "BySplit" >> beam.Partition(
            lambda element, count: SPLITS.index(element.split), len(SPLITS)
        )
        for index, split in enumerate(SPLITS):
            (
                by_split[index]
                | f"Keyed{split}" >> beam.Map(lambda element: (element.key, element.example))
                | f"Write{split}"
                >> WriteOrderedShards(f"{self.output}/{split}", self.shards.get(split, 1))
            )
        (
            rejected
            | "RejectLines"
            >> beam.Map(
                lambda element: json.dumps(
                    {"key": element.key, "reason": element.reason, "detail": element.detail}
                )
            )
            | "WriteRejects"
            >> beam.io.WriteToText(
                f"{self.output}/rejects",
                file_name_suffix=".jsonl",
                num_shards=1,
                shard_name_template="",
            )
        )
        source, shards, extra = self.source, self.shards, self.extra_info
        return (
            results
            | "Statistics" >> beam.CombineGlobally(DatasetInfoCombineFn())
            | "InfoJson" >> beam.Map(lambda info: _finish_info(info, source, shards, extra))
            | "WriteInfo"
            >> beam.io.WriteToText(
                f"{self.output}/dataset_info",
                file_name_suffix=".json",
                num_shards=1,
                shard_name_template="",
            )
        )
