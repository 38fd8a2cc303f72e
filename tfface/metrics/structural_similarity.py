"""Metric-grade SSIM and MS-SSIM per example, in float64, optionally over a region mask.

SSIM: Wang et al., "Image quality assessment: from error visibility to structural
similarity", IEEE TIP 2004, Eq. 13, with the 11 x 11 Gaussian window (sigma 1.5) and
K1 = 0.01, K2 = 0.03. Equal to ``skimage.metrics.structural_similarity(
gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=...,
channel_axis=-1)``: skimage filters the whole image and then averages the SSIM map
without its 5-pixel border, i.e. over the window positions that fit in the image,
which is what the VALID filtering here computes.

MS-SSIM: Wang, Simoncelli & Bovik, "Multiscale structural similarity for image
quality assessment", Asilomar 2003, Eq. 7: contrast-structure at scales 1..4 and the
full SSIM at scale 5 (2 x 2 average pooling between scales), weights (0.0448,
0.2856, 0.3001, 0.2363, 0.1333), negative terms clipped to 0, per channel then
averaged, as ``tf.image.ssim_multiscale``; needs images of at least 176 pixels a
side (an 11-pixel window at the fifth scale).

Masks (missing-region metrics): the SSIM map is averaged over the mask pixels that
lie in the map (the mask is cropped by the 5-pixel border like the map); for MS-SSIM
the mask is average-pooled with the images and weights each scale's mean. A full
mask gives exactly the unmasked values; an empty one (inside the map) gives NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from tfface.metrics.value_range import masked_mean, prepare_mask, prepare_pair

WINDOW_SIZE = 11
SIGMA = 1.5
K1, K2 = 0.01, 0.03
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _gaussian_taps(size: int, sigma: float) -> np.ndarray:
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    taps = np.exp(-0.5 * (offsets / sigma) ** 2)
    return taps / taps.sum()


def _filter_valid(images: tf.Tensor, taps: np.ndarray) -> tf.Tensor:
    """Separable filter at the VALID positions: (B, H, W, C) -> (B, H - s + 1, W - s + 1, C)."""
    channels = images.shape[-1]
    size = taps.shape[0]
    vertical = tf.constant(np.tile(taps.reshape(size, 1, 1, 1), (1, 1, channels, 1)), images.dtype)
    horizontal = tf.constant(
        np.tile(taps.reshape(1, size, 1, 1), (1, 1, channels, 1)), images.dtype
    )
    filtered = tf.nn.depthwise_conv2d(images, vertical, [1, 1, 1, 1], "VALID")
    return tf.nn.depthwise_conv2d(filtered, horizontal, [1, 1, 1, 1], "VALID")


def _crop_to_map(weights: tf.Tensor, size: int) -> tf.Tensor:
    """(B, H, W, 1) -> the centres of the VALID windows, (B, H - s + 1, W - s + 1, 1)."""
    border = (size - 1) // 2
    return weights[
        :, border : tf.shape(weights)[1] - border, border : tf.shape(weights)[2] - border
    ]


def ssim_and_contrast_maps(
    first: tf.Tensor, second: tf.Tensor, window_size: int = WINDOW_SIZE, sigma: float = SIGMA
) -> tuple[tf.Tensor, tf.Tensor]:
    """SSIM and contrast-structure maps of [0, 1] images (B, H, W, C) at the VALID positions."""
    if first.shape[-1] is None:
        raise ValueError("the channel count of the images must be known statically")
    height, width = first.shape[1], first.shape[2]
    if (height is not None and height < window_size) or (width is not None and width < window_size):
        raise ValueError(f"SSIM needs images of at least {window_size} pixels, got {first.shape}")
    taps = _gaussian_taps(window_size, sigma)
    channels = first.shape[-1]
    stacked = tf.concat([first, second, first * first, second * second, first * second], axis=-1)
    mean_x, mean_y, mean_xx, mean_yy, mean_xy = tf.split(
        _filter_valid(stacked, taps), [channels] * 5, axis=-1
    )
    variance_x = mean_xx - tf.square(mean_x)
    variance_y = mean_yy - tf.square(mean_y)
    covariance = mean_xy - mean_x * mean_y
    c1, c2 = K1**2, K2**2  # data range 1
    luminance = (2.0 * mean_x * mean_y + c1) / (tf.square(mean_x) + tf.square(mean_y) + c1)
    contrast_structure = (2.0 * covariance + c2) / (variance_x + variance_y + c2)
    return luminance * contrast_structure, contrast_structure


def ssim(
    first: tf.Tensor,
    second: tf.Tensor,
    mask: tf.Tensor | None = None,
    value_range: Sequence[float] | None = None,
) -> tf.Tensor:
    """Mean SSIM per example (Wang 2004), equal to skimage's (module docstring).

    Args:
        first, second: (B, H, W, C) images in ``value_range``, H, W >= 11.
        mask: optional (B, H, W[, 1]) region, nonzero = included.
        value_range: (low, high) of the inputs; default (0, 255) for uint8, else (-1, 1).

    Returns:
        (B,) float64 in [-1, 1].
    """
    first, second = prepare_pair(first, second, value_range)
    local, _ = ssim_and_contrast_maps(first, second)
    weights = None if mask is None else _crop_to_map(prepare_mask(mask, first), WINDOW_SIZE)
    return masked_mean(local, weights)


def _downsample(images: tf.Tensor) -> tf.Tensor:
    """2 x 2 average pooling after symmetric padding to even sizes (as tf.image.ssim_multiscale)."""
    shape = tf.shape(images)
    padding = [[0, 0], [0, shape[1] % 2], [0, shape[2] % 2], [0, 0]]
    padded = tf.pad(images, padding, mode="SYMMETRIC")
    return tf.nn.avg_pool2d(padded, ksize=2, strides=2, padding="VALID")


def ms_ssim(
    first: tf.Tensor,
    second: tf.Tensor,
    mask: tf.Tensor | None = None,
    value_range: Sequence[float] | None = None,
    weights: Sequence[float] = MS_SSIM_WEIGHTS,
) -> tf.Tensor:
    """Multi-scale SSIM per example (Wang 2003), as ``tf.image.ssim_multiscale``.

    Args:
        first, second: (B, H, W, C) images in ``value_range``; H, W >= 11 * 2^(scales - 1).
        mask: optional (B, H, W[, 1]) region, nonzero = included.
        value_range: (low, high) of the inputs.
        weights: exponent per scale (the number of scales is their count).

    Returns:
        (B,) float64 in [0, 1].
    """
    first, second = prepare_pair(first, second, value_range)
    scales = len(weights)
    smallest = WINDOW_SIZE * 2 ** (scales - 1)
    for side in first.shape[1:3]:
        if side is not None and side < smallest:
            raise ValueError(
                f"MS-SSIM with {scales} scales needs images of at least {smallest} pixels, "
                f"got {first.shape}"
            )
    region = None if mask is None else prepare_mask(mask, first)
    terms = []
    for scale in range(scales):
        if scale > 0:
            first, second = _downsample(first), _downsample(second)
            region = None if region is None else _downsample(region)
        local, contrast = ssim_and_contrast_maps(first, second)
        value = local if scale == scales - 1 else contrast
        cropped = None if region is None else _crop_to_map(region, WINDOW_SIZE)
        terms.append(_per_channel_mean(value, cropped))  # (B, C)
    stacked = tf.nn.relu(tf.stack(terms, axis=-1))  # (B, C, scales)
    exponents = tf.constant(weights, stacked.dtype)
    per_channel = tf.reduce_prod(tf.pow(stacked, exponents), axis=-1)
    return tf.reduce_mean(per_channel, axis=-1)


def _per_channel_mean(values: tf.Tensor, weights: tf.Tensor | None) -> tf.Tensor:
    """(B, h, w, C) -> (B, C): spatial (weighted) mean, NaN where the weights sum to 0."""
    if weights is None:
        return tf.reduce_mean(values, axis=[1, 2])
    total = tf.reduce_sum(values * weights, axis=[1, 2])
    count = tf.reduce_sum(weights, axis=[1, 2])  # (B, 1)
    nan = tf.constant(float("nan"), values.dtype)
    safe = tf.where(count > 0, count, tf.ones_like(count))
    return tf.where(count > 0, total / safe, nan)
