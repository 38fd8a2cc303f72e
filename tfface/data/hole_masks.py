"""Training batches for inpainting: images with hole masks from the data, a mask dataset or strokes.

    batches = inpainting_batches("data/train-*.tfrecord", image_size=256, batch_size=8,
                                 holes=HoleMaskConfig(mask_data="qd_imd_masks"))

Each element is {'image': float32 (B, S, S, 3) in [-1, 1], 'hole_mask': float32
(B, S, S, 1) in {0, 1}, 1 = hole (the schema's `hole_mask`, 255 = hole)}. The holes come
from (`HoleMaskConfig.source`):

- `dataset`: the image records' own `hole_mask` feature;
- `mask_data`: a separate mask dataset written by `tfface data build masks` (QD-IMD folders
  or generated strokes, records holding only `hole_mask`), shuffled and repeated
  independently of the images, as Sevastopolskiy 2019 (sec. 4.2.1) pairs CelebA /
  DeepFashion images with random QD-IMD masks;
- `free_form`: free-form brush strokes (`tfface.data.free_form_masks`) drawn on the fly for
  every batch, example n of the stream seeded with (seed, n), so runs are reproducible;
- `auto`: `mask_data` if given, else `dataset` if the first record has a hole mask, else
  `free_form`.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Literal

import numpy as np
import tensorflow as tf

from tfface.config.errors import ConfigError
from tfface.data.free_form_masks import FreeFormMaskConfig, free_form_mask
from tfface.data.reader import make_dataset

HOLE_SOURCES: tuple[str, ...] = ("auto", "dataset", "mask_data", "free_form")


@dataclasses.dataclass(frozen=True)
class HoleMaskConfig:
    """Where the holes of inpainting training come from (module docstring).

    Args:
        source: `auto`, `dataset`, `mask_data` or `free_form`.
        mask_data: folder of a `tfface data build masks` dataset (`<split>-*.tfrecord`), or
            a glob pattern of its shards.
        mask_split: split of `mask_data` to read.
        max_hole_ratio, min_strokes, max_strokes, min_width, max_width, min_box, max_box:
            free-form stroke ranges (`FreeFormMaskConfig`; widths and box sides are fractions
            of the image side).
        seed: seed of the generated strokes and of the mask dataset's shuffle.
    """

    source: Literal["auto", "dataset", "mask_data", "free_form"] = "auto"
    mask_data: str = ""
    mask_split: str = "train"
    max_hole_ratio: float = 0.5
    min_strokes: int = 1
    max_strokes: int = 5
    min_width: float = 0.03
    max_width: float = 0.10
    min_box: float = 0.4
    max_box: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.source not in HOLE_SOURCES:
            raise ConfigError(f"holes.source must be one of {', '.join(HOLE_SOURCES)}")
        if self.source == "mask_data" and not self.mask_data:
            raise ConfigError("holes.source=mask_data needs holes.mask_data (a masks dataset)")
        try:
            self.free_form()
        except ValueError as error:
            raise ConfigError(f"holes: {error}") from error

    def free_form(self) -> FreeFormMaskConfig:
        """The stroke sampling ranges."""
        return FreeFormMaskConfig(
            min_strokes=self.min_strokes,
            max_strokes=self.max_strokes,
            min_width=self.min_width,
            max_width=self.max_width,
            min_box=self.min_box,
            max_box=self.max_box,
            max_hole_ratio=self.max_hole_ratio,
        )


def records_have_hole_masks(pattern: str) -> bool:
    """Whether the first record of the shards `pattern` holds a non-empty `hole_mask`."""
    files = sorted(tf.io.gfile.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no TFRecord files match {pattern}")
    for record in tf.data.TFRecordDataset(files[:1]).take(1):
        features = tf.train.Example.FromString(record.numpy()).features.feature
        values = features["hole_mask"].bytes_list.value if "hole_mask" in features else []
        return bool(values) and values[0] != b""
    return False


def free_form_hole_masks(
    indices: tf.Tensor, image_size: int, seed: int, config: FreeFormMaskConfig
) -> tf.Tensor:
    """(B,) int64 example numbers -> float32 (B, S, S, 1) {0, 1} strokes seeded by (seed, n)."""

    def draw(values: np.ndarray) -> np.ndarray:
        masks = [free_form_mask(image_size, (seed, int(value)), config) for value in values]
        if not masks:
            return np.zeros((0, image_size, image_size, 1), np.float32)
        return np.stack(masks)[..., None].astype(np.float32)

    masks = tf.numpy_function(draw, [indices], tf.float32, stateful=False)
    return tf.ensure_shape(masks, [None, image_size, image_size, 1])


def mask_files(mask_data: str, split: str) -> str:
    """The shard pattern of a masks dataset folder (or `mask_data` itself when it is a glob)."""
    if os.path.isdir(mask_data):
        return os.path.join(mask_data, f"{split}-*.tfrecord")
    return mask_data


def mask_dataset(
    mask_data: str, split: str, image_size: int, batch_size: int, seed: int, shuffle: bool = True
) -> tf.data.Dataset:
    """Repeated batches of float32 (B, S, S, 1) {0, 1} hole masks from a masks dataset.

    The records hold only `hole_mask` (PNG, 255 = hole), resized nearest to S x S.
    """
    pattern = mask_files(mask_data, split)
    files = sorted(tf.io.gfile.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no hole-mask TFRecord files match {pattern}")
    spec = {"hole_mask": tf.io.FixedLenFeature([], tf.string, default_value="")}

    def decode(serialized: tf.Tensor) -> tf.Tensor:
        data = tf.io.parse_single_example(serialized, spec)["hole_mask"]
        mask = tf.io.decode_png(data, channels=1)  # uint8 (h, w, 1), 255 = hole
        mask = tf.image.resize(mask, [image_size, image_size], method="nearest")
        return tf.cast(mask > 127, tf.float32)  # (S, S, 1) in {0, 1}

    dataset = tf.data.TFRecordDataset(files)
    if shuffle:
        dataset = dataset.shuffle(4096, seed=seed, reshuffle_each_iteration=False)
    dataset = dataset.repeat().map(decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True)


def resolve_source(holes: HoleMaskConfig, pattern: str) -> str:
    """The concrete hole source (`dataset`, `mask_data` or `free_form`) of `auto`."""
    if holes.source != "auto":
        return holes.source
    if holes.mask_data:
        return "mask_data"
    return "dataset" if records_have_hole_masks(pattern) else "free_form"


def inpainting_batches(
    pattern: str,
    image_size: int,
    batch_size: int,
    holes: HoleMaskConfig = HoleMaskConfig(),
    shuffle_buffer: int = 1024,
    seed: int = 0,
    repeat: bool = True,
) -> tf.data.Dataset:
    """GLOBAL batches {'image', 'hole_mask'} of the image shards `pattern` (module docstring)."""
    source = resolve_source(holes, pattern)
    features = ("image", "hole_mask") if source == "dataset" else ("image",)
    images = make_dataset(
        pattern,
        features=features,
        batch_size=batch_size,
        image_size=image_size,
        shuffle=shuffle_buffer > 0,
        shuffle_buffer=max(shuffle_buffer, 1),
        repeat=repeat,
        deterministic=True,
        seed=seed,
    )
    images = images.map(lambda batch: {name: batch[name] for name in features})
    if source == "dataset":
        return images
    if source == "mask_data":
        masks = mask_dataset(holes.mask_data, holes.mask_split, image_size, batch_size, holes.seed)
        return tf.data.Dataset.zip(images, masks).map(
            lambda batch, mask: {**batch, "hole_mask": mask}
        )
    config = holes.free_form()

    def add_strokes(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        count = tf.shape(batch["image"], out_type=tf.int64)[0]
        numbers = index * tf.cast(batch_size, tf.int64) + tf.range(count)  # stream positions
        return {**batch, "hole_mask": free_form_hole_masks(numbers, image_size, holes.seed, config)}

    return images.enumerate().map(add_strokes).prefetch(tf.data.AUTOTUNE)
