"""SAGAN self-attention layer."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfface.layers._validation import check_positive_int, check_rank, check_static_channels


@keras.saving.register_keras_serializable(package="tfface")
class SelfAttention(keras.layers.Layer):
    """Self-attention over all spatial positions, added to the input with a learned weight.

    Yin 2022, Sec. 2.2.4, Eqs. 2.62-2.64; Zhang et al. 2019 (SAGAN). With N = H*W
    positions and 1x1 convolutions f, g (C -> C // reduction) and h (C -> C):
        s_{ij} = f(x_i)^T g(x_j),   beta_{j,i} = exp(s_{ij}) / sum_i exp(s_{ij})   (2.62)
        o_j = sum_i beta_{j,i} h(x_i)                                               (2.63)
        out = gamma * o + x,  gamma a scalar initialised to 0                       (2.64)
    so a fresh layer is the identity and attention is blended in as gamma is learned.
    Memory is O(B N^2): use it on bottleneck-sized features.

    Args:
        reduction: channel reduction of f and g (8 in SAGAN); they get max(1, C // reduction)
            channels.
        use_spectral_norm: wrap f, g, h in keras.layers.SpectralNormalization (as SAGAN does).
        **kwargs: keras.layers.Layer arguments.

    Input (B, H, W, C) float; output same shape.
    """

    def __init__(self, reduction: int = 8, use_spectral_norm: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reduction = check_positive_int(reduction, "SelfAttention reduction")
        self.use_spectral_norm = bool(use_spectral_norm)
        self.f_conv = None
        self.g_conv = None
        self.h_conv = None
        self.gamma = None

    def _conv(self, filters: int, name: str) -> keras.layers.Layer:
        conv = keras.layers.Conv2D(filters, 1, name=name)
        if self.use_spectral_norm:
            return keras.layers.SpectralNormalization(conv, name=f"{name}_spectral_norm")
        return conv

    def build(self, input_shape: tuple) -> None:
        check_rank(input_shape, 4, "SelfAttention", "input", "(B, H, W, C)")
        channels = check_static_channels(input_shape, "SelfAttention", "the input")
        key_channels = max(1, channels // self.reduction)
        self.f_conv = self._conv(key_channels, "f_conv")
        self.g_conv = self._conv(key_channels, "g_conv")
        self.h_conv = self._conv(channels, "h_conv")
        for conv in (self.f_conv, self.g_conv, self.h_conv):
            conv.build(input_shape)
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="zeros")

    def call(self, inputs, training=None):
        batch, height, width, channels = ops.shape(inputs)
        positions = height * width

        def flat(tensor):  # (B, H, W, K) -> (B, N, K)
            return ops.reshape(tensor, (batch, positions, tensor.shape[-1]))

        f = flat(self.f_conv(inputs, training=training))  # (B, N, C/r), source positions i
        g = flat(self.g_conv(inputs, training=training))  # (B, N, C/r), output positions j
        h = flat(self.h_conv(inputs, training=training))  # (B, N, C)
        logits = ops.matmul(g, ops.transpose(f, (0, 2, 1)))  # (B, N_j, N_i): s_{ij}
        attention = ops.softmax(logits, axis=-1)  # beta_{j,i}, rows sum to 1 over i
        attended = ops.reshape(ops.matmul(attention, h), ops.shape(inputs))  # o, (B, H, W, C)
        return ops.cast(self.gamma, inputs.dtype) * attended + inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "reduction": self.reduction,
            "use_spectral_norm": self.use_spectral_norm,
        }
