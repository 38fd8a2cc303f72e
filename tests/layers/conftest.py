"""NumPy references for the layer tests (independent of the layers under test)."""

from __future__ import annotations

import numpy as np
import pytest


class NumpyReference:
    """Plain NumPy (float64) versions of the operations the layers are built from."""

    @staticmethod
    def conv2d(x, kernel, bias=None, padding="same"):
        """Stride-1 convolution (cross-correlation) of (B, H, W, C) with (k, k, C, F)."""
        x = np.asarray(x, np.float64)
        kernel = np.asarray(kernel, np.float64)
        size = kernel.shape[0]
        if padding == "same":
            before = (size - 1) // 2
            after = size - 1 - before
            x = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
        height = x.shape[1] - size + 1
        width = x.shape[2] - size + 1
        out = np.zeros((x.shape[0], height, width, kernel.shape[-1]))
        for row in range(size):
            for column in range(size):
                patch = x[:, row : row + height, column : column + width, :]
                out += np.einsum("bhwc,cf->bhwf", patch, kernel[row, column])
        if bias is not None:
            out += np.asarray(bias, np.float64)
        return out

    @staticmethod
    def instance_norm(x, epsilon=1e-5):
        x = np.asarray(x, np.float64)
        mean = x.mean(axis=(1, 2), keepdims=True)
        variance = x.var(axis=(1, 2), keepdims=True)
        return (x - mean) / np.sqrt(variance + epsilon)

    @staticmethod
    def batch_norm(x, epsilon=1e-5):
        x = np.asarray(x, np.float64)
        mean = x.mean(axis=(0, 1, 2), keepdims=True)
        variance = x.var(axis=(0, 1, 2), keepdims=True)
        return (x - mean) / np.sqrt(variance + epsilon)

    @staticmethod
    def average_pool2x(x):
        b, h, w, c = x.shape
        return x.reshape(b, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))

    @staticmethod
    def bilinear_upsample2x(x):
        """x2 bilinear resize with half-pixel centres (edge-clamped), like tf.image.resize."""

        def weights(size):
            source = (np.arange(2 * size) + 0.5) / 2 - 0.5
            source = np.clip(source, 0, size - 1)
            low = np.floor(source).astype(int)
            high = np.minimum(low + 1, size - 1)
            return low, high, source - low

        x = np.asarray(x, np.float64)
        low, high, frac = weights(x.shape[1])
        x = x[:, low] * (1 - frac)[None, :, None, None] + x[:, high] * frac[None, :, None, None]
        low, high, frac = weights(x.shape[2])
        return (
            x[:, :, low] * (1 - frac)[None, None, :, None]
            + x[:, :, high] * frac[None, None, :, None]
        )

    @staticmethod
    def leaky_relu(x, slope=0.2):
        return np.where(x >= 0, x, slope * x)

    @staticmethod
    def relu(x):
        return np.maximum(x, 0)

    @classmethod
    def adain_learned(cls, x, style, kernel, bias, epsilon=1e-5):
        """AdaIN with gamma = 1 + (s K + b)[:C], beta = (s K + b)[C:]."""
        channels = x.shape[-1]
        params = np.asarray(style, np.float64) @ kernel + bias
        gamma = 1 + params[:, :channels]
        beta = params[:, channels:]
        return cls.instance_norm(x, epsilon) * gamma[:, None, None] + beta[:, None, None]

    @classmethod
    def spade(cls, x, condition, weights, base_norm="batch", epsilon=1e-5):
        """weights: shared kernel/bias, gamma kernel/bias, beta kernel/bias (6 arrays)."""
        shared_k, shared_b, gamma_k, gamma_b, beta_k, beta_b = weights
        if base_norm == "batch":
            normalized = cls.batch_norm(x, epsilon)
        else:
            normalized = cls.instance_norm(x, epsilon)
        hidden = cls.relu(cls.conv2d(condition, shared_k, shared_b))
        gamma = cls.conv2d(hidden, gamma_k, gamma_b)
        beta = cls.conv2d(hidden, beta_k, beta_b)
        return normalized * (1 + gamma) + beta


@pytest.fixture
def ref() -> type[NumpyReference]:
    return NumpyReference


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def spade_weights(layer) -> list[np.ndarray]:
    """The six convolution arrays of a built tfface SPADE layer, in NumpyReference order."""
    return [
        np.asarray(w)
        for conv in (layer.shared_conv, layer.gamma_conv, layer.beta_conv)
        for w in (conv.kernel, conv.bias)
    ]


@pytest.fixture
def get_spade_weights():
    return spade_weights


def randomize_weights(layer, rng: np.random.Generator, scale: float = 0.3) -> None:
    """Give every trainable weight of a built layer random N(0, scale^2) values."""
    for weight in layer.trainable_weights:
        weight.assign(rng.normal(0, scale, size=tuple(weight.shape)).astype("float32"))


@pytest.fixture
def randomize():
    return randomize_weights
