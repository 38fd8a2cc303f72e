"""Per-example pixel errors: MSE, L1 and PSNR, optionally over a region mask.

All three map the images to [0, 1] first (``tfface.metrics.value_range``): MSE and L1
are in units of the full range, PSNR = 10 log10(1 / MSE) dB, the same as
``skimage.metrics.peak_signal_noise_ratio(data_range=255)`` on uint8 images. PSNR of
identical images is +inf. With a mask, the mean runs over mask pixels only (all
channels); an empty mask gives NaN. A full mask gives exactly the unmasked values.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from tfface.metrics.value_range import masked_mean, prepare_mask, prepare_pair


def _weights(mask: tf.Tensor | None, images: tf.Tensor) -> tf.Tensor | None:
    return None if mask is None else prepare_mask(mask, images)


def mse(
    first: tf.Tensor,
    second: tf.Tensor,
    mask: tf.Tensor | None = None,
    value_range: Sequence[float] | None = None,
) -> tf.Tensor:
    """Mean squared error per example.

    Args:
        first, second: (B, H, W, C) images in ``value_range`` (uint8 or [-1, 1]).
        mask: optional (B, H, W[, 1]) region, nonzero = included.
        value_range: (low, high) of the inputs; default (0, 255) for uint8, else (-1, 1).

    Returns:
        (B,) float64, in units of the full range (images mapped to [0, 1]).
    """
    first, second = prepare_pair(first, second, value_range)
    return masked_mean(tf.square(first - second), _weights(mask, first))


def l1(
    first: tf.Tensor,
    second: tf.Tensor,
    mask: tf.Tensor | None = None,
    value_range: Sequence[float] | None = None,
) -> tf.Tensor:
    """Mean absolute error per example: (B,) float64 in units of the full range (see ``mse``)."""
    first, second = prepare_pair(first, second, value_range)
    return masked_mean(tf.abs(first - second), _weights(mask, first))


def psnr(
    first: tf.Tensor,
    second: tf.Tensor,
    mask: tf.Tensor | None = None,
    value_range: Sequence[float] | None = None,
) -> tf.Tensor:
    """Peak signal-to-noise ratio per example, 10 log10(1 / MSE) dB: (B,) float64 (+inf if equal)."""
    error = mse(first, second, mask, value_range)
    ten = tf.constant(10.0, error.dtype)
    return ten * (-tf.math.log(error) / tf.math.log(ten))
