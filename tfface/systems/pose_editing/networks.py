"""The networks of pose editing (Yin 2022 sec. 3.3, Fig. 3.4; sizes: methods/pose_editing.md sec. 4.1).

- `build_pixel_attention_sampler`: PAS (L1236-1249). Embedder: stride-2 4x4 convolutions,
  each followed by conditional instance norm on the target's flattened 3D landmarks and
  LeakyReLU 0.2, SAGAN self-attention at the configured sizes, flatten, Dense to the
  embedding; sampler: Dense + ReLU -> Dense H W 2 -> the sampling map (x, y) in grid units
  ([-1, 1] inside the image; align-corners, `tfface.ops.warp.grid_sample`).
- `build_conditional_unet`: the inpainting U-Net (L1303-1305): the same encoder (CIN on the
  landmarks), a symmetric decoder (nearest upsampling + 3x3 convolution, CIN, ReLU) with a
  skip at every scale, tanh; the decoder's CIN condition is the landmarks joined, when an
  identity network is given, by its (fine-tuned last FC) identity feature of the input.
- `build_projection_discriminator`: SN convolutions + LeakyReLU, global sum pooling, an SN
  linear output plus the projection term <embed(landmarks), features> (Miyato and Koyama
  2018; L1195, L1203).
- `build_landmark_estimator`: our 68-point 3D landmark regressor (methods/pose_editing.md:
  the real-data landmark path when no reconstruction export gives landmarks), holding the
  learnt frontal landmark template of `rotate_to_angles` (`LandmarkTemplate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf

from tfface.layers import ConditionalInstanceNormalization, SelfAttention
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.ops import grids

LANDMARK_SHAPE = (68, 3)


def _cin_block(
    features: keras.KerasTensor,
    condition: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    strides: int,
    activation: str,
    name: str,
) -> keras.KerasTensor:
    """Conv (no bias: CIN centres) -> CIN(condition) -> LeakyReLU 0.2 or ReLU."""
    features = keras.layers.Conv2D(
        filters, kernel_size, strides, padding="same", use_bias=False, name=f"{name}_conv"
    )(features)
    features = ConditionalInstanceNormalization(name=f"{name}_cin")([features, condition])
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2, name=f"{name}_leaky_relu")(features)
    return keras.layers.ReLU(name=f"{name}_relu")(features)


def encoder_filters(base_filters: int, max_filters: int, downsamplings: int) -> list[int]:
    """Filters of each stride-2 convolution: base, 2 base, ... capped at max_filters."""
    return [min(base_filters * 2**index, max_filters) for index in range(downsamplings)]


@keras.saving.register_keras_serializable(package="tfface")
class IdentityGridOffset(keras.layers.Layer):
    """Adds the align-corners identity grid: offsets (B, H, W, 2) -> sampling map (B, H, W, 2)."""

    def call(self, offsets):
        shape = tf.shape(offsets)
        mesh = grids.mesh_grid(shape[1], shape[2], normalized=True, dtype=offsets.dtype)
        return offsets + mesh[tf.newaxis]


def build_pixel_attention_sampler(
    image_size: int,
    base_filters: int,
    max_filters: int,
    downsamplings: int,
    attention_sizes: tuple[int, ...],
    embedding_size: int,
    hidden_units: int,
    sampling_map: str = "residual",
    name: str = "pixel_attention_sampler",
) -> keras.Model:
    """PAS: [image (B, S, S, C), landmarks (B, 68, 3)] -> sampling map (B, S, S, 2), x first.

    "residual": identity grid + Dense offsets (last Dense zero-initialised: a fresh PAS
    copies its input); "absolute": tanh of the Dense output.
    """
    image = keras.Input((image_size, image_size, 3), name="image")
    landmarks = keras.Input(LANDMARK_SHAPE, name="landmarks")
    condition = keras.layers.Flatten(name="condition")(landmarks)  # (B, 204)
    features, size = image, image_size
    for index, filters in enumerate(encoder_filters(base_filters, max_filters, downsamplings)):
        features = _cin_block(
            features, condition, filters, 4, 2, "leaky_relu", name=f"embedder{index + 1}"
        )
        size //= 2
        if size in attention_sizes:
            features = SelfAttention(name=f"embedder{index + 1}_attention")(features)
    embedding = keras.layers.Dense(embedding_size, name="embedding")(
        keras.layers.Flatten(name="flatten")(features)
    )  # (B, embedding_size)
    hidden = keras.layers.Dense(hidden_units, activation="relu", name="sampler_hidden")(embedding)
    residual = sampling_map == "residual"
    coordinates = keras.layers.Dense(
        image_size * image_size * 2,
        kernel_initializer="zeros" if residual else "glorot_uniform",
        name="sampler_output",
    )(hidden)
    coordinates = keras.layers.Reshape((image_size, image_size, 2), name="map")(coordinates)
    if residual:
        grid = IdentityGridOffset(name="identity_grid")(coordinates)
    else:
        grid = keras.layers.Activation("tanh", name="absolute_grid")(coordinates)
    return keras.Model([image, landmarks], grid, name=name)


def identity_feature(
    identity_image: keras.KerasTensor, identity_network: keras.Model
) -> keras.KerasTensor:
    """The decoder's identity feature: frozen embedding -> trainable Dense (B, D).

    The thesis fine-tunes LightCNN's last FC layer (L1303-1305); our embedding network stays
    frozen (its weights are not trained, batch norm in inference mode) and a D x D Dense
    initialised to the identity (bias 0) follows it: at the start the feature is the
    embedding itself, and training adapts that last linear map.
    """
    identity_network.trainable = False
    side = identity_network.inputs[0].shape[1]
    images = identity_image
    if side is not None and side != identity_image.shape[1]:
        images = keras.layers.Resizing(side, side, name="identity_resize")(images)
    embedding = identity_network(images, training=False)
    if isinstance(embedding, dict):
        embedding = embedding.get("embedding", next(iter(embedding.values())))
    embedding = keras.layers.Flatten(name="identity_embedding")(embedding)  # (B, D)
    return keras.layers.Dense(
        embedding.shape[-1], kernel_initializer="identity", name="identity_fc"
    )(embedding)


def build_conditional_unet(
    image_size: int,
    base_filters: int,
    max_filters: int,
    downsamplings: int,
    identity_network: keras.Model | None = None,
    name: str = "inpainter",
) -> keras.Model:
    """U-Net: [image (B, S, S, 3), landmarks (B, 68, 3)] -> image (B, S, S, 3) in [-1, 1].

    The encoder's CIN condition is the flattened landmarks (B, 204). With `identity_network`
    (images in [-1, 1] -> embeddings (B, D)) the U-Net takes a third input, 'identity_image'
    (B, S, S, 3), the face whose identity to keep, and the decoder's CIN condition is
    [landmarks || identity_fc(F(identity_image))] (B, 204 + D) (`identity_feature`);
    without it the decoder is conditioned on the landmarks alone.
    """
    image = keras.Input((image_size, image_size, 3), name="image")
    landmarks = keras.Input(LANDMARK_SHAPE, name="landmarks")
    inputs = [image, landmarks]
    condition = keras.layers.Flatten(name="condition")(landmarks)
    decoder_condition = condition
    if identity_network is not None:
        identity_image = keras.Input((image_size, image_size, 3), name="identity_image")
        inputs.append(identity_image)
        decoder_condition = keras.layers.Concatenate(name="decoder_condition")(
            [condition, identity_feature(identity_image, identity_network)]
        )
    filters = encoder_filters(base_filters, max_filters, downsamplings)
    skips, features = [], image
    for index, count in enumerate(filters):
        skips.append(features)
        features = _cin_block(
            features, condition, count, 4, 2, "leaky_relu", name=f"encoder{index + 1}"
        )
    for index in reversed(range(downsamplings)):
        features = keras.layers.UpSampling2D(2, name=f"decoder{index + 1}_upsample")(features)
        count = filters[index - 1] if index > 0 else base_filters
        features = _cin_block(
            features, decoder_condition, count, 3, 1, "relu", name=f"decoder{index + 1}"
        )
        features = keras.layers.Concatenate(name=f"decoder{index + 1}_skip")(
            [features, skips[index]]
        )
    output = keras.layers.Conv2D(3, 3, padding="same", activation="tanh", name="to_image")(features)
    return keras.Model(inputs, output, name=name)


@keras.saving.register_keras_serializable(package="tfface")
class SumPooling(keras.layers.Layer):
    """(B, H, W, C) -> (B, C), the sum over positions (the projection discriminator's pooling)."""

    def call(self, features):
        return tf.reduce_sum(features, axis=[1, 2])


def build_projection_discriminator(
    image_size: int, filters: Sequence[int], name: str = "discriminator"
) -> keras.Model:
    """[image (B, S, S, 3), landmarks (B, 68, 3)] -> score (B, 1) = psi(h) + <V y, h>.

    One stride-2 SN convolution per entry of `filters`."""
    image = keras.Input((image_size, image_size, 3), name="image")
    landmarks = keras.Input(LANDMARK_SHAPE, name="landmarks")
    features = build_spectral_patch_discriminator(
        image_size,
        3,
        tuple(filters),
        4,
        (2,) * len(filters),
        "none",
        "features",
        name="features",
    )(image)  # SN convolutions + LeakyReLU 0.2, (B, S / 2^layers, S / 2^layers, C)
    pooled = SumPooling(name="sum_pooling")(features)  # h, (B, C)
    unconditional = keras.layers.SpectralNormalization(
        keras.layers.Dense(1, name="linear"), name="linear_spectral_norm"
    )(pooled)  # psi(h), (B, 1)
    embedded = keras.layers.SpectralNormalization(
        keras.layers.Dense(pooled.shape[-1], use_bias=False, name="embedding"),
        name="embedding_spectral_norm",
    )(keras.layers.Flatten(name="condition")(landmarks))  # V y, (B, C)
    projection = keras.layers.Dot(axes=1, name="projection")([embedded, pooled])  # (B, 1)
    score = keras.layers.Add(name="score")([unconditional, projection])
    return keras.Model([image, landmarks], score, name=name)


@keras.saving.register_keras_serializable(package="tfface")
class LandmarkTemplate(keras.layers.Layer):
    """A learnt (68, 3) landmark set, broadcast over the batch of its input.

    Stored divided by `scale` (it then moves `scale` times faster under Adam than the other
    weights: the template is fitted, not a feature).
    """

    def __init__(self, scale: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = float(scale)

    def build(self, input_shape) -> None:
        self.stored = self.add_weight(shape=LANDMARK_SHAPE, initializer="zeros", name="stored")

    def call(self, inputs):
        template = self.stored * self.scale  # (68, 3) normalised landmarks
        return tf.broadcast_to(
            template[tf.newaxis], tf.concat([tf.shape(inputs)[:1], LANDMARK_SHAPE], 0)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale}


def build_landmark_estimator(
    image_size: int, base_filters: int, template_scale: float, name: str = "landmark_estimator"
) -> keras.Model:
    """image (B, S, S, 3) -> {'landmarks': normalised (B, 68, 3), 'frontal_template': (B, 68, 3)}.

    Stride-2 3x3 convolutions with group norm (per example: replicas agree) down to 4 x 4,
    global average pooling, Dense 68 x 3.
    """
    image = keras.Input((image_size, image_size, 3), name="image")
    features, size, filters = image, image_size, base_filters
    index = 0
    while size > 4:
        index += 1
        features = keras.layers.Conv2D(filters, 3, 2, padding="same", name=f"conv{index}")(features)
        features = keras.layers.GroupNormalization(groups=1, name=f"conv{index}_norm")(features)
        features = keras.layers.LeakyReLU(negative_slope=0.2, name=f"conv{index}_relu")(features)
        size, filters = size // 2, min(filters * 2, 256)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(features)
    landmarks = keras.layers.Reshape(LANDMARK_SHAPE, name="landmarks")(
        keras.layers.Dense(68 * 3, name="regression")(pooled)
    )
    template = LandmarkTemplate(template_scale, name="frontal_template")(image)
    return keras.Model(image, {"landmarks": landmarks, "frontal_template": template}, name=name)
