"""The DoFn every source uses: convert an input item to examples, never crash, never drop silently."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.common.allocator import tune_allocator
from pipelines.common.records import Accepted, Rejected, RejectError
from pipelines.common.stats import example_stats
from tfface.data.features import encode_example
from tfface.data.splits import SPLITS, assign_split


class SourceDoFn(beam.DoFn):
    """Base DoFn of a dataset source.

    Subclasses implement `key(item)` (the item's source key), `convert(item)`
    yielding (record, group_key) pairs (a record is a dict of schema
    features; the group key decides the split) or (record, group_key, split)
    triples where the source fixes the split itself (an official partition or
    protocol; None falls back to the hash split) and optionally `load()` for
    heavy per-worker state (called once per worker in `setup`). Any exception
    while converting an item becomes a `Rejected` output with its reason
    (RejectError's reason, or 'error:<ExceptionType>'), counted in Beam metrics.

    Args:
        fractions: split fractions.
        salt: split salt.
        image_format: 'png' or 'jpeg' for image features.
        jpeg_quality: JPEG quality when image_format is 'jpeg'.
    """

    def __init__(
        self,
        fractions: dict[str, float],
        salt: str,
        image_format: str = "png",
        jpeg_quality: int = 95,
    ) -> None:
        super().__init__()
        self.fractions = fractions
        self.salt = salt
        self.image_format = image_format
        self.jpeg_quality = jpeg_quality
        self.accepted_counter = Metrics.counter("tfface", "accepted")
        self.rejected_counter = Metrics.counter("tfface", "rejected")

    def key(self, item: Any) -> str:
        """The source key of an input item (subclasses define it)."""
        raise TypeError(f"{type(self).__name__} must define key()")

    def convert(
        self, item: Any
    ) -> Iterable[tuple[dict[str, Any], str] | tuple[dict[str, Any], str, str | None]]:
        """Yields (record, group_key) pairs or (record, group_key, split) triples (subclasses define it)."""
        raise TypeError(f"{type(self).__name__} must define convert()")

    def load(self) -> None:
        """Loads heavy per-worker state (models); called once per worker."""

    def setup(self) -> None:
        tune_allocator()  # worker threads and large NumPy arrays (allocator.py)
        self.load()

    def process(self, item: Any) -> Iterator[Accepted | Rejected]:
        key = self.key(item)
        try:
            outputs = []
            for output in self.convert(item):
                record, group_key, *forced = output
                split = (
                    forced[0]
                    if forced and forced[0] is not None
                    else assign_split(group_key, self.fractions, self.salt)
                )
                if split not in SPLITS:
                    raise ValueError(
                        f"convert() forced an unknown split {split!r}; splits are {SPLITS}"
                    )
                record = {**record, "split": split}
                example = encode_example(record, self.image_format, self.jpeg_quality)
                outputs.append(Accepted(record["key"], split, example, example_stats(record)))
        except RejectError as error:
            self.rejected_counter.inc()
            Metrics.counter("tfface.rejects", error.reason).inc()
            yield Rejected(key, error.reason)
            return
        except Exception as error:  # a corrupt input must never take the job down
            reason = f"error:{type(error).__name__}"
            logging.warning("rejecting %s: %s", key, error)
            self.rejected_counter.inc()
            Metrics.counter("tfface.rejects", reason).inc()
            yield Rejected(key, reason, str(error)[:500])
            return
        self.accepted_counter.inc(len(outputs))
        yield from outputs
