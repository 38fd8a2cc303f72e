"""The data recipe of face_recognition: face images with their identity labels.

Data: any tfface dataset whose records carry `identity` (>= 0): SynthFaces (every pose,
expression, domain and occluder of each identity) or an `image_folder` build with
`--identity-from-folders` (`ROOT/<identity>/*.jpg`, CASIA-WebFace / VGGFace2 layout; the
sorted folder names become identities 0..K-1). The head has `model.identities` classes, or
the largest label of the TRAIN split + 1 (`identity_count`). Training images are flipped
left-right at random (`model.flip`), with a seed per batch (same batches every run).
"""

from __future__ import annotations

import tensorflow as tf

from tfface.data.features import parsing_spec
from tfface.systems.data_recipes import feature_batches
from tfface.systems.splits import split_pattern

FEATURES = ("image", "identity")


def identity_labels(pattern: str) -> tf.Tensor:
    """int64 (N,) the `identity` of every record of `pattern` (ValueError when absent)."""
    files = tf.io.gfile.glob(pattern)
    if not files:
        raise FileNotFoundError(f"no TFRecord files match {pattern}")
    spec = parsing_spec(["identity"])
    spec["identity"] = tf.io.FixedLenFeature([1], tf.int64, default_value=[-1])
    labels = (
        tf.data.TFRecordDataset(sorted(files))
        .map(lambda record: tf.io.parse_single_example(record, spec)["identity"][0])
        .batch(4096)
    )
    values = [batch for batch in labels]
    if not values:
        raise ValueError(f"{pattern} holds no records")
    return tf.concat(values, 0)


def identity_count(data_dir: str, split: str = "train") -> int:
    """Classes the head needs for `split` of `data_dir`: the largest identity label + 1.

    Raises:
        ValueError: a record has no identity label (or -1, unknown).
    """
    pattern = split_pattern(data_dir, split)
    labels = identity_labels(pattern)
    if int(tf.reduce_min(labels)) < 0:
        raise ValueError(
            f"face_recognition trains on identity-labelled faces, but records of {pattern} have "
            "no identity (or -1): build SynthFaces, or `tfface data build image_folder --input "
            "ROOT --identity-from-folders` for ROOT/<identity>/*.jpg"
        )
    return int(tf.reduce_max(labels)) + 1


def check_labels(identity: tf.Tensor, classes: int) -> tf.Tensor:
    """`identity` (B,) as int32, asserted to lie in [0, classes) with a message naming the fix."""
    identity = tf.cast(identity, tf.int32)
    checks = [
        tf.debugging.assert_non_negative(
            identity, message="face_recognition: a record has no identity label (-1)"
        ),
        tf.debugging.assert_less(
            identity,
            tf.constant(classes, tf.int32),
            message=f"face_recognition: an identity label is >= {classes}, the classes of the "
            "head (model.identities; 0 = read from the training data)",
        ),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(identity)


def random_flips(images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """Each image of (B, S, S, 3) mirrored left-right with probability 1/2 (stateless seed (2,))."""
    flip = tf.random.stateless_uniform([tf.shape(images)[0]], seed) < 0.5  # (B,)
    return tf.where(flip[:, None, None, None], tf.reverse(images, axis=[2]), images)


def identity_batches(config, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches of `split`: 'image' float32 (B, S, S, 3) in [-1, 1] (flipped
    at random when model.flip), 'identity' int32 (B,) in [0, classes)."""
    classes = config.model.identities or identity_count(data_dir)
    batches = feature_batches(config, data_dir, split, FEATURES)
    flip, data_seed = config.model.flip, config.data.seed

    def prepare(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        images = batch["image"]
        if flip:
            images = random_flips(images, tf.stack([tf.constant(data_seed, tf.int64), index]))
        return {"image": images, "identity": check_labels(batch["identity"], classes)}

    return batches.enumerate().map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
