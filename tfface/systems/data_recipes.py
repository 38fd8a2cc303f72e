"""Data recipes shared by systems: `(config, data_dir, split) -> tf.data.Dataset`.

A system declares its recipe as `DATA` (`tfface/systems/base.py`). Each recipe reads one
split of a tfface dataset directory (`tfface data build` output, `<split>-*.tfrecord`) as
repeated GLOBAL batches of `config.train.batch_size`, resized to `config.data.image_size`,
shuffled with `config.data.shuffle_buffer` and `config.data.seed`, in a deterministic
order.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfface.data.hole_masks import inpainting_batches
from tfface.data.reader import make_dataset
from tfface.systems.splits import split_pattern


def image_batches(config: Any, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated global batches {'image': float32 (B, S, S, 3) in [-1, 1]} of `split`."""
    return feature_batches(config, data_dir, split, ("image",))


def feature_batches(
    config: Any, data_dir: str, split: str, features: tuple[str, ...], **options: Any
) -> tf.data.Dataset:
    """Repeated global batches of the records' `features` (`tfface.data.reader`) of `split`.

    `options` go to `tfface.data.reader.make_dataset` (e.g. `crops=True`)."""
    return make_dataset(
        split_pattern(data_dir, split),
        features=features,
        **options,
        batch_size=config.train.batch_size,
        image_size=config.data.image_size,
        shuffle=config.data.shuffle_buffer > 0,
        shuffle_buffer=max(config.data.shuffle_buffer, 1),
        repeat=True,
        deterministic=True,
        seed=config.data.seed,
    )


def image_hole_batches(config: Any, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated global batches {'image': float32 (B, S, S, 3) in [-1, 1], 'hole_mask':
    float32 (B, S, S, 1) in {0, 1}, 1 = hole} of `split`, the holes from `config.model.holes`
    (`tfface.data.hole_masks`: the data's own, a mask dataset, or free-form strokes)."""
    return inpainting_batches(
        split_pattern(data_dir, split),
        image_size=config.data.image_size,
        batch_size=config.train.batch_size,
        holes=config.model.holes,
        shuffle_buffer=config.data.shuffle_buffer,
        seed=config.data.seed,
    )
