"""The networks of Bergqvist 2020 sec. 3.4: generators ED and Multinorm, latent encoder E,
style mapping L and the conditional PatchGAN D.

Shapes for the paper's 128 px (y: source render (B, 128, 128, 3) in [-1, 1]; x: NIR target
(B, 128, 128, 1) in [-1, 1]; s: style (B, 512)). Every size scales with the config's
`image_size` and filter tuples. Kernels are Keras' glorot_uniform ("Xavier", Table 3.8) with
zero biases. BatchNorm statistics are synchronised over replicas, so N replicas normalise
with the global batch's statistics like one device; their moving averages use
`batch_norm_momentum` (0.9 = PyTorch's default 0.1, the thesis's framework).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfface.layers.adain_residual_block import AdaINResidualBlock
from tfface.layers.instance_normalization import InstanceNormalization
from tfface.layers.multi_norm_residual_block import MultiNormResidualBlock
from tfface.layers.residual_block import ResidualBlock
from tfface.ops.private_apis import nested_layers
from tfface.systems.multimodal.config import MultimodalModelConfig

LEAKY_SLOPE = 0.2


def synchronise_batch_norms(model: keras.Model, momentum: float) -> keras.Model:
    """Sets `synchronized` on every BatchNormalization inside `model` (ResidualBlock's and
    SPADE's own), so a MirroredStrategy normalises with the global batch, and their moving
    average `momentum`; returns `model`."""
    for layer in nested_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.synchronized = True
            layer.momentum = float(momentum)
    return model


@keras.saving.register_keras_serializable(package="tfface")
class LearnedConstant(keras.layers.Layer):
    """A learned vector repeated over the batch: (B, ...) -> (B, size) (the Multinorm
    generator's constant input, Bergqvist 2020 l.991; StyleGAN's learned constant)."""

    def __init__(self, size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = int(size)
        self.constant = self.add_weight(
            shape=(1, self.size), initializer="random_normal", name="constant"
        )

    def call(self, reference):
        return ops.tile(self.constant, [ops.shape(reference)[0], 1])

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], self.size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}


def build_ed_generator(config: MultimodalModelConfig) -> keras.Model:
    """Encoder-decoder G(y, s) of Table 3.4 (no U-Net skips; s enters only through AdaIN).

    Conv3x3 ReLU (S, S, 16); ResBlocks AvgPool BatchNorm to (S/32, S/32, 256); AdaIN
    ResBlocks bilinear up to (S, S, 16); LReLU; Conv1x1 tanh -> (B, S, S, 1) in [-1, 1].
    """
    size = config.image_size
    source = keras.Input((size, size, 3), name="source")
    style = keras.Input((config.latent_size,), name="style")
    features = keras.layers.Conv2D(
        config.first_filters, 3, padding="same", activation="relu", name="stem"
    )(source)  # (B, S, S, 16)
    for level, filters in enumerate(config.encoder_filters):
        features = ResidualBlock(
            filters, resample="down", norm="batch", activation="leaky_relu", name=f"down{level + 1}"
        )(features)  # (B, S / 2^(level+1), ..., filters)
    for level, filters in enumerate(config.decoder_filters):
        features = AdaINResidualBlock(filters, resample="up", name=f"up{level + 1}")(
            [features, style]
        )  # (B, 2h, 2w, filters)
    features = keras.layers.LeakyReLU(LEAKY_SLOPE, name="last_activation")(features)
    image = keras.layers.Conv2D(1, 1, activation="tanh", name="to_image")(features)
    generator = keras.Model([source, style], image, name="generator")
    return synchronise_batch_norms(generator, config.batch_norm_momentum)


def build_multinorm_generator(config: MultimodalModelConfig) -> keras.Model:
    """Multinorm G(y, s) of Table 3.5: no image encoder; y enters every block through SPADE,
    s through AdaIN (MultiNorm = AdaIN(SPADE(h, y), s)).

    Input (learned constant 512 or s) -> Linear ReLU -> (S/32, S/32, 256) -> Multinorm
    ResBlocks bilinear up -> LReLU -> Conv1x1 tanh -> (B, S, S, 1) in [-1, 1].
    """
    size = config.image_size
    blocks = len(config.decoder_filters)
    start = size // 2**blocks
    source = keras.Input((size, size, 3), name="source")
    style = keras.Input((config.latent_size,), name="style")
    if config.multinorm_input == "constant":
        start_input = LearnedConstant(config.multinorm_constant_size, name="constant")(style)
    else:
        start_input = style
    first_filters = config.decoder_filters[0]
    features = keras.layers.Dense(start * start * first_filters, activation="relu", name="linear")(
        start_input
    )
    features = keras.layers.Reshape((start, start, first_filters), name="to_map")(features)
    for level, filters in enumerate(config.decoder_filters):
        features = MultiNormResidualBlock(
            filters,
            resample="up",
            hidden_filters=config.spade_hidden_filters,
            name=f"up{level + 1}",
        )([features, source, style])
    features = keras.layers.LeakyReLU(LEAKY_SLOPE, name="last_activation")(features)
    image = keras.layers.Conv2D(1, 1, activation="tanh", name="to_image")(features)
    generator = keras.Model([source, style], image, name="generator")
    return synchronise_batch_norms(generator, config.batch_norm_momentum)


def build_latent_encoder(config: MultimodalModelConfig) -> keras.Model:
    """E of Table 3.6 (no normalisation): a target-domain image (B, S, S, 1) -> (B, 512).

    Conv3x3 (S, S, 32); ResBlocks AvgPool to (S/64, S/64, 512); LReLU; a valid convolution
    over the remaining map -> 512, then LReLU as printed (or linear).
    """
    size = config.image_size
    image = keras.Input((size, size, 1), name="image")
    filters = config.latent_encoder_filters
    features = keras.layers.Conv2D(filters[0], 3, padding="same", name="stem")(image)
    for level, block_filters in enumerate(filters[1:]):
        features = ResidualBlock(
            block_filters,
            resample="down",
            norm="none",
            activation="leaky_relu",
            name=f"down{level + 1}",
        )(features)
    features = keras.layers.LeakyReLU(LEAKY_SLOPE, name="activation")(features)
    remaining = size // 2 ** (len(filters) - 1)
    latent = keras.layers.Conv2D(config.latent_size, remaining, padding="valid", name="head")(
        features
    )  # (B, 1, 1, 512)
    if config.latent_encoder_output == "leaky_relu":
        latent = keras.layers.LeakyReLU(LEAKY_SLOPE, name="head_activation")(latent)
    latent = keras.layers.Flatten(name="latent")(latent)
    return keras.Model(image, latent, name="latent_encoder")


def build_style_mapping(config: MultimodalModelConfig) -> keras.Model:
    """L of Table 3.7: z (B, 512) -> s (B, 512) through Linear layers, all but the last ReLU."""
    latent = keras.Input((config.latent_size,), name="latent")
    features = latent
    for layer in range(config.style_mapping_layers):
        last = layer == config.style_mapping_layers - 1
        features = keras.layers.Dense(
            config.latent_size, activation=None if last else "relu", name=f"linear{layer + 1}"
        )(features)
    return keras.Model(latent, features, name="style_mapping")


def build_patch_discriminator(config: MultimodalModelConfig) -> keras.Model:
    """Conditional PatchGAN D(y, x) of Table 3.3 (kernels 4, zero padding 2, SEEDS.md strides).

    concat(y, x) (B, S, S, 4) -> Conv LReLU (65, 65, 32) -> [Conv IN LReLU] (33, 33, 64),
    (17, 17, 128), (9, 9, 256), (10, 10, 512) -> Conv (11, 11, 1) logits (sizes at 128 px).
    Outputs [feature_1, ..., feature_5, logits]: the features for the perceptual loss.
    """
    size = config.image_size
    source = keras.Input((size, size, 3), name="source")
    image = keras.Input((size, size, 1), name="image")
    features = keras.layers.Concatenate(name="pair")([source, image])
    outputs = []
    for layer, (filters, stride) in enumerate(
        zip(config.discriminator_filters, config.discriminator_strides, strict=True)
    ):
        features = keras.layers.ZeroPadding2D(2, name=f"pad{layer + 1}")(features)
        features = keras.layers.Conv2D(filters, 4, stride, name=f"conv{layer + 1}")(features)
        if layer > 0:
            features = InstanceNormalization(name=f"norm{layer + 1}")(features)
        features = keras.layers.LeakyReLU(LEAKY_SLOPE, name=f"activation{layer + 1}")(features)
        outputs.append(features)
    features = keras.layers.ZeroPadding2D(2, name="pad_logits")(features)
    logits = keras.layers.Conv2D(1, 4, 1, name="logits")(features)
    return keras.Model([source, image], [*outputs, logits], name="discriminator")


def build_generator(config: MultimodalModelConfig) -> keras.Model:
    """G of `config.generator`."""
    if config.generator == "ed":
        return build_ed_generator(config)
    return build_multinorm_generator(config)
