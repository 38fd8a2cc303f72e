"""In-graph conversions at the serving edge, and the standard signature inputs built on them.

Inside models images are float32 in [-1, 1]; at the serving edge they are uint8
RGB, masks are uint8 label maps (H, W) and latent codes float32 vectors. The input
constructors below pair a wire TensorSpec with the conversion that runs inside the
exported graph, so TF Serving (which has no Python) gets exactly the same preprocessing.
"""

from __future__ import annotations

import tensorflow as tf

from tfface.signatures.image_codec import IMAGE, LABELS, decode_pictures
from tfface.signatures.signature import ExportInput

DEFAULT_WARMUP_SIZE = 64


def uint8_to_unit(image: tf.Tensor) -> tf.Tensor:
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return tf.cast(image, tf.float32) / 127.5 - 1.0


def unit_to_uint8(image: tf.Tensor) -> tf.Tensor:
    """float [-1, 1] -> uint8 [0, 255], rounded and clipped."""
    scaled = (tf.cast(image, tf.float32) + 1.0) * 127.5
    return tf.cast(tf.round(tf.clip_by_value(scaled, 0.0, 255.0)), tf.uint8)


def label_map_to_one_hot(label_map: tf.Tensor, classes: int) -> tf.Tensor:
    """uint8 (B, H, W) labels -> float32 (B, H, W, classes) (labels >= classes are refused
    before, by the input's `value_range`: `tfface/signatures/input_checks.py`)."""
    return tf.one_hot(tf.cast(label_map, tf.int32), classes, dtype=tf.float32)


def image_input(size: int | None = None, channels: int = 3) -> ExportInput:
    """uint8 (B, size, size, channels) images, normalised to float32 [-1, 1] in the graph."""
    warmup = size or DEFAULT_WARMUP_SIZE
    return ExportInput(
        spec=tf.TensorSpec([None, size, size, channels], tf.uint8),
        normalize=uint8_to_unit,
        warmup_shape=(1, warmup, warmup, channels),
        warmup_value=127,
        description=f"uint8 RGB images (batch, {size or 'height'}, {size or 'width'}, {channels})",
        picture=IMAGE,
    )


def label_map_input(classes: int, size: int | None = None) -> ExportInput:
    """uint8 (B, size, size) label maps, one-hot float32 (B, size, size, classes) in the graph."""
    warmup = size or DEFAULT_WARMUP_SIZE
    return ExportInput(
        spec=tf.TensorSpec([None, size, size], tf.uint8),
        normalize=lambda label_map: label_map_to_one_hot(label_map, classes),
        warmup_shape=(1, warmup, warmup),
        warmup_value=0,
        description=f"uint8 label maps (batch, {size or 'height'}, {size or 'width'}), "
        f"values in [0, {classes - 1}]",
        picture=LABELS,
        value_range=(0, classes - 1),
    )


def latent_input(size: int) -> ExportInput:
    """float32 (B, size) latent codes, passed through unchanged."""
    return ExportInput(
        spec=tf.TensorSpec([None, size], tf.float32),
        warmup_value=0.0,
        description=f"float32 latent codes (batch, {size})",
    )


def encoded_image_input(size: int) -> ExportInput:
    """string (B,) encoded images (PNG, JPEG...), decoded, centre-cropped to square, resized
    to size x size and normalised in the graph (`tfface.signatures.image_codec`).

    REST clients send these as {"b64": ...}; name such inputs `*_bytes` (TF Serving's
    convention for binary tensors). `tfface.signatures.bytes_signatures` derives such inputs from
    `image_input` / `label_map_input` automatically.
    """
    blank = tf.io.encode_png(tf.zeros([size, size, 3], tf.uint8)).numpy()
    return ExportInput(
        spec=tf.TensorSpec([None], tf.string),
        normalize=lambda encoded: uint8_to_unit(decode_pictures(encoded, size, 3, IMAGE)),
        warmup_shape=(1,),
        warmup_value=blank,
        description=f"encoded images (PNG, JPEG, BMP, GIF), centre-cropped to square and "
        f"resized to {size} x {size}",
    )


def angle_input(name: str, limit: float) -> ExportInput:
    """float32 (B,) angles in degrees within [-limit, limit], range-checked in the graph (NaN
    is refused too); `name` is what the description calls it ("target yaw", ...)."""
    return ExportInput(
        spec=tf.TensorSpec([None], tf.float32),
        value_range=(-limit, limit),
        warmup_shape=(1,),
        warmup_value=0.0,
        description=f"float32 {name} per image, degrees in [-{limit:g}, {limit:g}]",
    )
