"""The coefficient regressor of face_reconstruction (Deng et al. 2019; Yin 2022 sec. 5.3.3).

A backbone (ResNet-50 of `keras.applications`, random init, or a small strided CNN with
group normalisation) with
global average pooling and one dense layer to the coefficient vector. The dense layer's
kernel starts at zero and its bias at the neutral coefficients (mean shape and texture,
frontal, ambient light), as Deng et al. zero-initialise their last layer: training starts
from the mean face.
"""

from __future__ import annotations

import keras
import numpy as np

from tfface.face3d import MorphableModel
from tfface.face3d.coefficients import CoefficientLayout
from tfface.face3d.lighting import ambient_lighting


def neutral_coefficients(model: MorphableModel) -> np.ndarray:
    """float32 (C,): the mean face, frontal, untranslated, lit by uniform white light."""
    return CoefficientLayout.for_model(model).join(lighting=ambient_lighting(1.0))


def _backbone(inputs: keras.KerasTensor, backbone: str, filters: tuple[int, ...]):
    """(B, S, S, 3) in [-1, 1] -> features (B, h, w, F)."""
    if backbone == "resnet50":
        resnet = keras.applications.ResNet50(
            weights=None, include_top=False, input_shape=tuple(inputs.shape[1:])
        )
        return resnet(inputs)
    features = inputs
    for index, width in enumerate(filters):
        for suffix, strides in (("", 2), ("_b", 1)):
            features = keras.layers.Conv2D(
                width, 3, strides=strides, padding="same", name=f"conv_{index}{suffix}"
            )(features)
            # group norm: per example, so replicas and batch sizes do not change the result
            features = keras.layers.GroupNormalization(min(8, width), name=f"norm_{index}{suffix}")(
                features
            )
            features = keras.layers.ReLU()(features)
    return features


def build_regressor(
    image_size: int, backbone: str, small_filters: tuple[int, ...], model: MorphableModel
) -> keras.Model:
    """images float32 (B, S, S, 3) in [-1, 1] -> coefficients float32 (B, C)."""
    inputs = keras.Input((image_size, image_size, 3), name="image")
    features = _backbone(inputs, backbone, small_filters)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(features)
    coefficients = keras.layers.Dense(
        CoefficientLayout.for_model(model).size,
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(neutral_coefficients(model)),
        name="coefficients",
    )(pooled)
    return keras.Model(inputs, coefficients, name="regressor")
