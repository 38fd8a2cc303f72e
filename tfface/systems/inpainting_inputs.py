"""Input checks of the inpainting API (`InpaintingSystem.inpaint` and `call`, shared by
`warp_inpainting` and `gated_inpainting`).

    filled = system.inpaint(images, hole_masks)   # NumPy in, NumPy out

Images are float (B, S, S, 3) or (S, S, 3) in [-1, 1] (like the mask-guided editing API);
hole masks are (B, S, S, 1), (B, S, S), (S, S, 1) or (S, S) with 1 = hole: bool, numbers in
{0, 1}, or uint8 in {0, 255} (the TFRecord / serving convention). A batch of one image or
mask is broadcast against a batch of N. Everything is checked with NumPy before any graph
runs, so mistakes are ValueErrors naming the argument.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def as_hole_masks(masks: object, image_size: int, name: str = "hole_masks") -> np.ndarray:
    """float32 (B, S, S, 1) in {0, 1} (1 = hole) from any of the accepted layouts (module doc).

    Raises:
        ValueError: wrong rank, size or channels; values other than 0 / 1 (uint8: 0 / 255);
            a mask without any known pixel (nothing to inpaint from).
    """
    array = np.asarray(masks)
    if array.ndim == 2:  # one (H, W) mask
        array = array[None, ..., None]
    elif array.ndim == 3:
        one_mask = array.shape[:2] == (image_size, image_size) and array.shape[2] != image_size
        array = array[None] if one_mask else array[..., None]  # (H, W, C) or (B, H, W)
    if array.ndim != 4:
        raise ValueError(
            f"{name} must have shape (B, H, W, 1), (B, H, W), (H, W, 1) or (H, W), "
            f"got {np.shape(masks)}"
        )
    if array.shape[-1] != 1:
        raise ValueError(
            f"{name} need 1 channel (1 = hole), got {array.shape[-1]} channels "
            f"(shape {np.shape(masks)})"
        )
    if array.shape[1:3] != (image_size, image_size):
        raise ValueError(
            f"{name} are {array.shape[1]}x{array.shape[2]} but the model works on "
            f"{image_size}x{image_size} masks; resize them first (nearest neighbour)"
        )
    if array.dtype == np.bool_:
        holes = array.astype(np.float32)
    else:
        if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
            raise ValueError(f"{name} must be bool or numeric, got dtype {array.dtype}")
        hole_value = 255 if array.dtype == np.uint8 else 1
        values = np.unique(array)
        unexpected = [value for value in values.tolist() if value not in (0, hole_value)]
        if unexpected:
            raise ValueError(
                f"{name} must hold 0 (known) and {hole_value} (hole) only"
                f"{' (uint8 masks: 0 / 255)' if hole_value == 255 else ''}, got values "
                f"{unexpected[:5]}"
            )
        holes = (array == hole_value).astype(np.float32)
    full = np.flatnonzero(holes.reshape(len(holes), -1).min(axis=1) == 1.0)
    if full.size:
        raise ValueError(
            f"{name}[{int(full[0])}] marks every pixel as a hole; inpainting needs known pixels"
        )
    return holes


def check_inpainting_inputs(image: tf.Tensor, hole_mask: tf.Tensor, image_size: int) -> None:
    """Static checks of `call`: float (B, S, S, 3) images and float / bool (B, S, S, 1) masks.

    Integer tensors are refused: `call` takes images in [-1, 1] and masks in {0, 1}, so a
    uint8 image (0..255) or a uint8 mask (0 / 255, the TFRecord and serving convention)
    would run and give garbage (`inpaint()` and the export signatures convert those).
    """
    if not tf.as_dtype(image.dtype).is_floating:
        raise ValueError(
            f"image must be float32 in [-1, 1], got dtype {tf.as_dtype(image.dtype).name} "
            "(convert uint8 with image / 127.5 - 1, or use inpaint())"
        )
    mask_dtype = tf.as_dtype(hole_mask.dtype)
    if not (mask_dtype.is_floating or mask_dtype.is_bool):
        raise ValueError(
            f"hole_mask must be float32 (or bool) in {{0, 1}}, 1 = hole, got dtype "
            f"{mask_dtype.name} (uint8 masks hold 0 / 255: divide by 255, or use inpaint())"
        )
    expected = {"image": 3, "hole_mask": 1}
    for name, tensor in (("image", image), ("hole_mask", hole_mask)):
        shape = tensor.shape
        if shape.rank != 4 or shape[-1] not in (None, expected[name]):
            raise ValueError(
                f"{name} must have shape (B, {image_size}, {image_size}, {expected[name]}), "
                f"got {shape}"
            )
        if any(side not in (None, image_size) for side in shape[1:3]):
            raise ValueError(
                f"{name} is {shape[1]}x{shape[2]} but the model works on {image_size}x{image_size}"
            )
