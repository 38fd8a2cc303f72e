"""MultiNorm: SPADE and AdaIN applied in sequence (Bergqvist 2020's Multinorm ResBlock norm)."""

from __future__ import annotations

from typing import Any

import keras

from tfface.layers._validation import check_choice, split_input_shapes
from tfface.layers.adain import AdaIN
from tfface.layers.spade import SPADE

ORDERS = ("spade_first", "adain_first")


@keras.saving.register_keras_serializable(package="tfface")
class MultiNorm(keras.layers.Layer):
    """Normalisation that injects a source image through SPADE and a style vector through AdaIN.

    Bergqvist 2020, Sec. 3.4.2, "Multinorm decoder" and Table 3.5 (normalisation
    column "SPADE & AdaIn"): the Multinorm ResBlocks "use both SPADE layers to inject the source
    images y and AdaIn layers to inject the latent vectors z (or style vectors s)". Figure 3.12,
    which draws the block, is missing from the text, so this is our reading: the two layers as
    defined in Sec. 2.4.2 (Eq. 2.9 and Eq. 2.8) are composed,

        out = AdaIN(SPADE(x, y), s)    (order="spade_first", the default)

    SPADE imposes the spatial layout of y (per-pixel scale and bias), then AdaIN
    re-normalises every channel of every example and sets its statistics from s. The spatial
    pattern written by SPADE survives AdaIN's instance normalisation (it only removes each
    channel's mean and scale), so y controls *where* and s controls *what it looks like*,
    matching the thesis's observation (Sec. 5.1.1) that the Multinorm generator's faces follow the
    shape of the 3D model. order="adain_first" gives SPADE(AdaIN(x, s), y).

    Args:
        hidden_filters, kernel_size, base_norm, momentum: of the SPADE part (see `SPADE`).
        epsilon: of both normalisations.
        order: "spade_first" or "adain_first".
        **kwargs: keras.layers.Layer arguments.

    Inputs [features (B, H, W, C), source image (B, H', W', L), style (B, S)];
    output (B, H, W, C).
    """

    def __init__(
        self,
        hidden_filters: int = 128,
        kernel_size: int = 3,
        base_norm: str = "batch",
        epsilon: float = 1e-5,
        momentum: float = 0.99,
        order: str = "spade_first",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_choice(order, ORDERS, "MultiNorm order")
        self.order = order
        self.spade = SPADE(
            hidden_filters=hidden_filters,
            kernel_size=kernel_size,
            base_norm=base_norm,
            epsilon=epsilon,
            momentum=momentum,
            name="spade",
        )
        self.adain = AdaIN(epsilon=epsilon, name="adain")

    def build(self, input_shape: list) -> None:
        features_shape, source_shape, style_shape = split_input_shapes(
            input_shape, (3,), "MultiNorm"
        )
        self.spade.build([features_shape, source_shape])
        self.adain.build([features_shape, style_shape])

    def call(self, inputs, training=None):
        features, source, style = inputs  # (B, H, W, C), (B, H', W', L), (B, S)
        if self.order == "spade_first":
            features = self.spade([features, source], training=training)
            return self.adain([features, style])
        features = self.adain([features, style])
        return self.spade([features, source], training=training)

    def compute_output_shape(self, input_shape: list) -> tuple:
        return tuple(input_shape[0])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "hidden_filters": self.spade.hidden_filters,
            "kernel_size": self.spade.kernel_size,
            "base_norm": self.spade.base_norm,
            "epsilon": self.spade.epsilon,
            "momentum": self.spade.momentum,
            "order": self.order,
        }
