"""Encoded images inside the serving graph: decode, centre-crop, resize; encode PNG.

The `*_bytes` serving signatures (`tfface.signatures.bytes_signatures`) take PNG / JPEG / BMP / GIF
bytes, one string per example, and turn them into the model's uint8 tensors with the
same policy as the data pipeline and the CLI: a centred square crop of side
min(height, width) (offsets rounded down), then a resize to the model's size. Pictures
come in two kinds:

- `IMAGE` (colour photographs): bilinear resize with antialiasing (an area-weighted
  average when shrinking, like PIL's `Image.resize(..., BILINEAR)`), rounded to uint8.
- `LABELS` (label maps, hole masks): nearest-neighbour resize, so every output value is
  one of the input's values. Send these as 8-bit greyscale PNG (lossless; a palette PNG
  decodes to grey levels, not to its indices).

An image already square at the model's size is passed through untouched (no resampling),
so a lossless PNG of a model-size image gives exactly the uint8 signature's answer.
Bytes that are not an image raise InvalidArgumentError when the graph runs ("Unknown image
file format"), which servers answer with INVALID_ARGUMENT.
"""

from __future__ import annotations

import tensorflow as tf

IMAGE = "image"
LABELS = "labels"
PICTURE_KINDS = (IMAGE, LABELS)


def centre_crop_square(image: tf.Tensor) -> tf.Tensor:
    """(H, W, C) -> (side, side, C), side = min(H, W), the centred square (offsets floored)."""
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    side = tf.minimum(height, width)
    top = (height - side) // 2
    left = (width - side) // 2
    return image[top : top + side, left : left + side]


def resize_square(square: tf.Tensor, size: int, kind: str) -> tf.Tensor:
    """uint8 (side, side, C) -> uint8 (size, size, C); unchanged when side == size."""
    if kind not in PICTURE_KINDS:
        raise ValueError(f"picture kind must be one of {PICTURE_KINDS}, got {kind!r}")

    def resized() -> tf.Tensor:
        if kind == LABELS:
            return tf.image.resize(square, (size, size), method="nearest")  # keeps uint8
        smooth = tf.image.resize(square, (size, size), method="bilinear", antialias=True)
        return tf.cast(tf.round(tf.clip_by_value(smooth, 0.0, 255.0)), tf.uint8)

    side = tf.shape(square)[0]
    result = tf.cond(tf.equal(side, size), lambda: square, resized)
    return tf.ensure_shape(result, [size, size, square.shape[-1]])


def decode_picture(data: tf.Tensor, size: int | None, channels: int, kind: str) -> tf.Tensor:
    """One encoded image (scalar string) -> uint8 (size, size, channels), centre-cropped.

    `size` None keeps the crop's own size (fully convolutional models; the examples of one
    batch must then share a size).
    """
    image = tf.io.decode_image(data, channels=channels, expand_animations=False)
    square = centre_crop_square(image)
    if size is None:
        return square
    return resize_square(square, size, kind)


def decode_pictures(
    encoded: tf.Tensor, size: int | None, channels: int, kind: str, squeeze: bool = False
) -> tf.Tensor:
    """string (B,) encoded images -> uint8 (B, size, size, channels), or (B, size, size)
    with `squeeze` (label maps; `channels` must then be 1)."""
    if squeeze and channels != 1:
        raise ValueError(f"only single-channel pictures can be squeezed, got {channels} channels")
    decoded = tf.map_fn(
        lambda data: decode_picture(data, size, channels, kind),
        encoded,
        fn_output_signature=tf.TensorSpec([size, size, channels], tf.uint8),
    )
    return decoded[..., 0] if squeeze else decoded


def png_encodable(tensor: tf.Tensor) -> bool:
    """Whether `tensor` is a batch of uint8 pictures: (B, H, W) or (B, H, W, 1 | 3 | 4)."""
    if tensor.dtype != tf.uint8 or tensor.shape.rank not in (3, 4):
        return False
    return tensor.shape.rank == 3 or tensor.shape[-1] in (1, 3, 4)


def encode_png_batch(pictures: tf.Tensor) -> tf.Tensor:
    """uint8 (B, H, W) or (B, H, W, C) -> string (B,) PNG bytes (greyscale for 1 channel)."""
    if not png_encodable(pictures):
        raise ValueError(
            "PNG encoding needs uint8 (batch, height, width) or (batch, height, width, 1, 3 or "
            f"4 channels), got {pictures.dtype.name} {pictures.shape}"
        )
    if pictures.shape.rank == 3:
        pictures = pictures[..., None]
    return tf.map_fn(tf.io.encode_png, pictures, fn_output_signature=tf.TensorSpec([], tf.string))
