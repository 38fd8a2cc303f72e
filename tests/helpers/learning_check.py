"""What the learning checks (the slow tests/systems/test_*_learning.py) share: the held-out batch.

A learning check trains a system built with `system_kit.make_system` and measures it on one
fixed batch of faces it never trained on, read here in record order.
"""

from __future__ import annotations

import tensorflow as tf
from system_kit import SIZE

from tfface.data.reader import make_dataset


def held_out_batch(
    data_dir: str, features: tuple[str, ...], batch_size: int, **options
) -> dict[str, tf.Tensor]:
    """The first `batch_size` records of the train split of `data_dir` (a SynthFaces folder),
    unshuffled: {feature: tensor}, images float32 (B, SIZE, SIZE, 3) in [-1, 1].

    `options` go to `tfface.data.reader.make_dataset` (e.g. `one_hot=False` for label maps).
    """
    dataset = make_dataset(
        f"{data_dir}/train-*.tfrecord",
        features=features,
        batch_size=batch_size,
        image_size=SIZE,
        shuffle=False,
        **options,
    )
    return next(iter(dataset))
