"""Parameter-free normalisation functions shared by the normalisation layers."""

from __future__ import annotations

from keras import ops


def instance_normalize(features, epsilon: float):
    """(x - mu_{nc}) / sqrt(sigma^2_{nc} + epsilon) over the spatial axes of (B, H, W, C).

    mu_{nc}, sigma^2_{nc}: mean and biased variance of each example and channel (Bergqvist 2020,
    Sec. 2.4.2.2; Ulyanov et al. 2016). Statistics in float32 whatever the compute dtype.
    """
    dtype = features.dtype
    features = ops.cast(features, "float32")
    mean, variance = ops.moments(features, axes=[1, 2], keepdims=True)  # (B, 1, 1, C) each
    normalized = (features - mean) * ops.rsqrt(variance + epsilon)
    return ops.cast(normalized, dtype)


def broadcast_channel_parameter(parameter):
    """(B, C) -> (B, 1, 1, C); (B, 1, 1, C) and (B, H, W, C) pass through."""
    if len(parameter.shape) == 2:
        return parameter[:, None, None, :]
    return parameter
