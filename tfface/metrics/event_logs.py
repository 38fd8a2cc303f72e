"""Scalar curves from TensorBoard event files, and their plot for the evaluation report.

Reads ``events.out.tfevents.*`` files under a run's ``logs/`` folder with
``tf.data.TFRecordDataset`` + ``tf.compat.v1.Event`` (no tensorboard package):
TF2 ``tf.summary.scalar`` values (scalar tensors) and TF1 ``simple_value`` alike.
Tags from subfolders get the folder as prefix (``train/loss``, ``validation/loss``).
Plots use matplotlib's Agg backend (no display); matplotlib is only needed here.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import tensorflow as tf

MAX_PLOTTED_TAGS = 12


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


def plot_scalars(
    scalars: dict[str, list[tuple[int, float]]], path: str | os.PathLike, title: str = ""
) -> Path:
    """One small plot per tag (at most 12) in a grid, written as PNG to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tags = list(scalars)[:MAX_PLOTTED_TAGS]
    if not tags:
        raise ValueError("no scalar summaries to plot")
    columns = min(3, len(tags))
    rows = (len(tags) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows), squeeze=False)
    for axis in axes.flat[len(tags) :]:
        axis.set_visible(False)
    for axis, tag in zip(axes.flat, tags, strict=False):
        steps, values = zip(*scalars[tag], strict=True)
        axis.plot(steps, values, linewidth=1.2)
        axis.set_title(tag, fontsize=9)
        axis.set_xlabel("step", fontsize=8)
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
