"""Multi target mask encoder: five component mask encoders instead of one E_m."""

from __future__ import annotations

import keras

from tfface.data.labels import (
    HAIR_11,
    LEFT_EYE_11,
    MOUTH_COMPONENT_11,
    RIGHT_EYE_11,
    SKIN_COMPONENT_11,
)
from tfface.networks.mask_encoder import build_mask_encoder

MASK_COMPONENTS: dict[str, tuple[int, ...]] = {
    "left_eye": LEFT_EYE_11,
    "right_eye": RIGHT_EYE_11,
    "mouth": MOUTH_COMPONENT_11,
    "skin": SKIN_COMPONENT_11,
    "hair": HAIR_11,
}
"""PORTRAIT_11 labels of each component mask (`tfface/data/labels.py`)."""


def build_multi_mask_encoder(
    image_size: int,
    classes: int = 11,
    base_filters: int = 64,
    norm: str = "instance",
    name: str = "mask_encoder",
) -> keras.Model:
    """The multi target mask encoder of the S1408 thesis, sec. 4.5.2 (Fig. 4.15).

    The one-hot target mask is split into five binary component masks (left eye, right eye,
    mouth = labels 7-9, skin = labels 1, 2, 3, 6, hair = label 10), each encoded by its own
    E_m-shaped encoder (`build_mask_encoder` with one input channel); the five feature maps
    are concatenated. Drop-in replacement of E_m (same input, 5x the channels).

    Args:
        image_size: side of the square mask.
        classes: channels of the one-hot mask (11).
        base_filters: filters of each encoder's first convolution.
        norm: normalisation (see `conv_blocks.normalization`).
        name: model name.

    Input (B, S, S, classes) one-hot; output (B, S / 4, S / 4, 5 * 4 * base_filters), >= 0.
    """
    mask = keras.Input((image_size, image_size, classes), name="mask")
    outputs = []
    for component, labels in MASK_COMPONENTS.items():
        selector = [[1.0 if label in labels else 0.0] for label in range(classes)]
        # (B, S, S, classes) -> (B, S, S, 1): the sum of the component's one-hot channels.
        component_mask = keras.layers.Dense(
            1,
            use_bias=False,
            trainable=False,
            kernel_initializer=keras.initializers.Constant(selector),
            name=f"{component}_select",
        )(mask)
        encoder = build_mask_encoder(
            image_size, 1, base_filters, norm, name=f"{component}_mask_encoder"
        )
        outputs.append(encoder(component_mask))
    features = keras.layers.Concatenate(name="concatenate")(outputs)
    return keras.Model(mask, features, name=name)
