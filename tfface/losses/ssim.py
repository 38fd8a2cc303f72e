"""Structural similarity (SSIM) with a Gaussian window, per example.

Wang et al., "Image quality assessment: from error visibility to structural
similarity", IEEE TIP 2004, Eq. 13; used as a loss in Yin 2022 Eq. 5.11.
Matches ``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=...)``: an 11 x 11 window (radius
int(3.5 sigma + 0.5) = 5, normalised to sum 1), statistics over the valid
positions only (skimage filters with reflection, then crops the 5-pixel border
before averaging: the same values), channels averaged.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_images, check_same_shape


def gaussian_window_1d(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    """Normalised 1-D Gaussian taps (size,), centred."""
    if size < 1 or size % 2 == 0:
        raise ValueError(f"window size must be odd and positive, got {size}")
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    taps = np.exp(-0.5 * (offsets / sigma) ** 2)
    return (taps / taps.sum()).astype(np.float32)


def _filter_valid(images: tf.Tensor, taps: np.ndarray) -> tf.Tensor:
    """Separable Gaussian filter, valid positions only: (B, H, W, C) -> (B, H-s+1, W-s+1, C)."""
    channels = images.shape[-1]
    size = taps.shape[0]
    vertical = tf.constant(np.tile(taps.reshape(size, 1, 1, 1), (1, 1, channels, 1)))
    horizontal = tf.constant(np.tile(taps.reshape(1, size, 1, 1), (1, 1, channels, 1)))
    filtered = tf.nn.depthwise_conv2d(images, vertical, strides=[1, 1, 1, 1], padding="VALID")
    return tf.nn.depthwise_conv2d(filtered, horizontal, strides=[1, 1, 1, 1], padding="VALID")


def ssim_map(
    first: tf.Tensor,
    second: tf.Tensor,
    data_range: float = 2.0,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
) -> tf.Tensor:
    """Local SSIM at every valid window position.

    Args:
        first: (B, H, W, C) images, e.g. in [-1, 1].
        second: (B, H, W, C) images.
        data_range: max - min of the value range (2 for [-1, 1]).
        window_size: odd Gaussian window side (H, W must be at least this).
        sigma: Gaussian standard deviation.
        k1: luminance constant, C1 = (k1 * data_range)^2.
        k2: contrast constant, C2 = (k2 * data_range)^2.

    Returns:
        (B, H - window_size + 1, W - window_size + 1, C) float32 in [-1, 1].
    """
    first = as_float32(first, "first")
    second = as_float32(second, "second")
    check_images(first, "first")
    check_same_shape(first, second, ("first", "second"))
    if first.shape[-1] is None:
        raise ValueError("the channel count of the images must be known statically")
    height, width = first.shape[1], first.shape[2]
    if (height is not None and height < window_size) or (width is not None and width < window_size):
        raise ValueError(
            f"images must be at least {window_size} x {window_size} for SSIM, got {first.shape}"
        )
    taps = gaussian_window_1d(window_size, sigma)
    channels = first.shape[-1]
    stacked = tf.concat([first, second, first * first, second * second, first * second], axis=-1)
    means = _filter_valid(stacked, taps)
    mean_x, mean_y, mean_xx, mean_yy, mean_xy = tf.split(means, [channels] * 5, axis=-1)
    variance_x = mean_xx - tf.square(mean_x)
    variance_y = mean_yy - tf.square(mean_y)
    covariance = mean_xy - mean_x * mean_y
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    numerator = (2.0 * mean_x * mean_y + c1) * (2.0 * covariance + c2)
    denominator = (tf.square(mean_x) + tf.square(mean_y) + c1) * (variance_x + variance_y + c2)
    return numerator / denominator


def structural_similarity(
    first: tf.Tensor,
    second: tf.Tensor,
    data_range: float = 2.0,
    window_size: int = 11,
    sigma: float = 1.5,
) -> tf.Tensor:
    """Mean SSIM per example: (B, H, W, C) x 2 -> (B,), equal to skimage's with the settings above."""
    local = ssim_map(first, second, data_range, window_size, sigma)
    return tf.reduce_mean(local, axis=[1, 2, 3])
