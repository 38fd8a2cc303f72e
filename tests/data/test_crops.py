"""Crops and enlarged regions by batched gathers equal the per-pixel transform kernels."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.data.crops import _crop, append_regions, crop_boxes, scale_about_centre


def projective_reference(images: np.ndarray, centre: np.ndarray, expansion: float) -> np.ndarray:
    """Enlargement about `centre` with TF's ImageProjectiveTransformV3 (NEAREST, zeros outside)."""
    scale = 1.0 / (1.0 + expansion)
    zeros = tf.zeros_like(centre[:, 0])
    transforms = tf.stack(
        [
            zeros + scale,
            zeros,
            centre[:, 1] * (1 - scale),
            zeros,
            zeros + scale,
            centre[:, 0] * (1 - scale),
            zeros,
            zeros,
        ],
        axis=-1,
    )
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.shape(images)[1:3],
        fill_value=0.0,
        interpolation="NEAREST",
        fill_mode="CONSTANT",
    ).numpy()


@pytest.mark.parametrize("expansion", [0.1, 0.5, 1.0, 0.25])
def test_scale_about_centre_equals_the_projective_transform_kernel(expansion: float) -> None:
    rng = np.random.default_rng(int(expansion * 100))
    images = rng.uniform(0, 1, (6, 37, 53, 2)).astype(np.float32)
    centres = np.stack([rng.uniform(-3, 40, 6), rng.uniform(-3, 56, 6)], axis=-1).astype(np.float32)
    centres[0] = (18.0, 26.0)  # the image centre
    centres[1] = (10.5, 20.5)  # half pixels: rounding ties
    got = scale_about_centre(tf.constant(images), tf.constant(centres), expansion).numpy()
    np.testing.assert_array_equal(got, projective_reference(images, centres, expansion))


def test_crops_are_exact_pixel_windows_with_zeros_outside() -> None:
    images = np.arange(2 * 6 * 7 * 1, dtype=np.float32).reshape(2, 6, 7, 1)
    boxes = np.array([[1, 2], [4, 5]], np.int32)
    crops = _crop(tf.constant(images), tf.constant(boxes), (3, 4)).numpy()
    np.testing.assert_array_equal(crops[0], images[0, 1:4, 2:6])
    expected = np.zeros((3, 4, 1), np.float32)
    expected[:2, :2] = images[1, 4:6, 5:7]
    np.testing.assert_array_equal(crops[1], expected)


def test_boxed_crops_equal_the_masked_crops_at_crop_box_corners() -> None:
    rng = np.random.default_rng(5)
    images = tf.constant(rng.uniform(-1, 1, (8, 40, 50, 3)).astype(np.float32))
    # Centres anywhere, also outside: crop_boxes shifts the windows to stay inside.
    centres = np.stack([rng.uniform(-10, 50, 8), rng.uniform(-10, 60, 8)], -1).astype(np.float32)
    for size in [(10, 20), (40, 50), (3, 1)]:
        boxes = crop_boxes(tf.constant(centres), size, 40, 50)
        np.testing.assert_array_equal(
            _crop(images, boxes, size, inside=True).numpy(), _crop(images, boxes, size).numpy()
        )
    # Larger than the image: the window cannot stay inside; zeros fill the rest.
    boxes = crop_boxes(tf.constant(centres), (48, 56), 40, 50)
    crops = _crop(images, boxes, (48, 56), inside=True).numpy()
    np.testing.assert_array_equal(crops[:, :40, :50], images.numpy())
    assert not crops[:, 40:].any() and not crops[:, :, 50:].any()


def test_append_region_contains_the_component_and_is_centred() -> None:
    labels = np.zeros((1, 64, 64), np.uint8)
    labels[0, 20:30, 10:30] = 4
    region = append_regions(tf.constant(labels), (4,)).numpy()[0, ..., 0]
    component = labels[0] == 4
    assert (region[component] == 1).all()
    rows, columns = np.nonzero(region)
    # 10 x 20 pixels enlarged by 10% about (24.5, 19.5): 11 x 22 pixels (nearest rounding)
    assert rows.max() - rows.min() + 1 == 11 and columns.max() - columns.min() + 1 == 22
    assert abs((rows.min() + rows.max()) / 2 - 24.5) <= 0.5
    assert abs((columns.min() + columns.max()) / 2 - 19.5) <= 0.5
