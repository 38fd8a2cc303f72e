"""Reading warmup requests: `assets.extra/tf_serving_warmup_requests`, a TFRecord of PredictionLogs.

TF Serving (and `tfface serve`) replays these requests when it loads a version, so the
first real request does not pay for graph initialisation. The export writes the file
(`tfface/export/warmup.py`); the server only reads it, so this module needs no tfface.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

WARMUP_DIRECTORY = "assets.extra"
WARMUP_FILE = "tf_serving_warmup_requests"


def read_warmup_file(path: str | Path) -> Iterator[prediction_log_pb2.PredictionLog]:
    """The PredictionLogs of a warmup file (read with TF's own TFRecord reader)."""
    for record in tf.data.TFRecordDataset(str(path)):
        log = prediction_log_pb2.PredictionLog()
        log.ParseFromString(record.numpy())
        yield log
