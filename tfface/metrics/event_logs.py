"""Scalar curves from TensorBoard event files (drawn for the report by ``curves_svg``).

Reads ``events.out.tfevents.*`` files under a run's ``logs/`` folder with
``tf.data.TFRecordDataset`` + ``tf.compat.v1.Event`` (no tensorboard package):
TF2 ``tf.summary.scalar`` values (scalar tensors) and TF1 ``simple_value`` alike.
Tags from subfolders get the folder as prefix (``train/loss``, ``validation/loss``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import tensorflow as tf


def read_scalars(logs_dir: str | os.PathLike) -> dict[str, list[tuple[int, float]]]:
    """{tag: [(step, value), ...] sorted by step} of every scalar summary under ``logs_dir``."""
    logs_dir = Path(logs_dir)
    scalars: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for path in sorted(logs_dir.rglob("events.out.tfevents.*")):
        folder = path.parent.relative_to(logs_dir).as_posix()
        prefix = "" if folder == "." else f"{folder}/"
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                if kind == "simple_value":
                    number = float(value.simple_value)
                elif kind == "tensor":
                    array = tf.make_ndarray(value.tensor)
                    if array.size != 1 or not np.issubdtype(array.dtype, np.number):
                        continue  # images, histograms, text
                    number = float(array.reshape(()))
                else:
                    continue
                scalars[prefix + value.tag].append((int(event.step), number))
    return {tag: sorted(points) for tag, points in sorted(scalars.items())}
