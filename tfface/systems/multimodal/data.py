"""The data of `multimodal`: (source render y, NIR target x) pairs, Bergqvist 2020 sec. 3.1.

Two builders write the records this recipe reads (`image` = y, `target_image` = x):

- `tfface data build paired_folders --source RENDERS --target NIR --size 128
  --target-mode gray --clean-outliers --mean-normalize`: the thesis's own data (the IQR
  cleaning of sec. 3.1.4 and the mean normalisation of sec. 3.1.5).
- `tfface data build synthfaces ... --pair-domains mask_texture nir`: SynthFaces renders of
  the same identity, pose, expression and scene in the colour-coded domain (red skin, green
  eye whites, blue irises: the thesis's source, l.598-602) and in NIR.

Both images of a pair get the same random transform of Table 3.1 (`tfface.data.augment`
defaults) when `model.augment` is on, then both map to [-1, 1].
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfface.data.augment import AugmentConfig
from tfface.data.reader import make_dataset
from tfface.systems.data_recipes import feature_batches
from tfface.systems.splits import split_pattern


def to_grey(images: tf.Tensor) -> tf.Tensor:
    """(B, S, S, 3) in [-1, 1] -> (B, S, S, 1): the first channel (NIR targets are grey,
    decoded with their one channel repeated) or BT.601 luma of colour images."""
    return tf.image.rgb_to_grayscale(images)


def translation_pairs(config: Any, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated global batches {'source': float32 (B, S, S, 3), 'target': float32
    (B, S, S, 1)}, both in [-1, 1], of `split` (module docstring)."""
    augment = AugmentConfig() if config.model.augment else None
    batches = feature_batches(
        config, data_dir, split, ("image", "target_image"), augment=augment, image_channels=3
    )
    return batches.map(
        lambda batch: {"source": batch["image"], "target": to_grey(batch["target_image"])},
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )


def evaluation_pairs(
    config: Any, data_dir: str, split: str = "test", landmarks: bool = False
) -> tf.data.Dataset:
    """One pass over `split` in record order, without augmentation: batches {'source', 'target'}
    as `translation_pairs` (the last batch may be smaller) and, with `landmarks`, the exact
    'landmarks' float32 (B, 68, 3) pixels that SynthFaces pairs share (`preservation`)."""
    features = ("image", "target_image", *(("landmarks",) if landmarks else ()))
    batches = make_dataset(
        split_pattern(data_dir, split),
        features=features,
        batch_size=config.train.batch_size,
        image_size=config.data.image_size,
        shuffle=False,
        repeat=False,
        deterministic=True,
        drop_remainder=False,
    )

    def pair(batch: dict) -> dict:
        output = {"source": batch["image"], "target": to_grey(batch["target_image"])}
        if landmarks:
            output["landmarks"] = batch["landmarks"]
        return output

    return batches.map(pair, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
