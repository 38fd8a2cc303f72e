"""The translation family's shared networks (issue #23): the pix2pix U-Net, the CycleGAN ResNet
generator with resize-convolution up-sampling, and the 70 x 70 PatchGAN (the conditional patch
discriminator with and without a condition)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.layers import ResizeConv2D
from tfface.networks import (
    build_conditional_patch_discriminator,
    build_resnet_generator,
    build_unet_generator,
)


def images(count: int, size: int, seed: int = 0) -> tf.Tensor:
    return tf.random.stateless_uniform([count, size, size, 3], [seed, 1], -1.0, 1.0)


def test_unet_maps_images_to_images_through_a_one_pixel_bottleneck() -> None:
    unet = build_unet_generator(32, 5, base_filters=4, max_filters=16)
    output = unet(images(2, 32))
    assert output.shape == (2, 32, 32, 3)
    assert float(tf.reduce_max(tf.abs(output))) <= 1.0
    assert unet.get_layer("down5_conv").output.shape[1:3] == (1, 1)
    # skips: every decoder map is concatenated with the encoder map of its size
    for step, level in enumerate(reversed(range(4))):
        skip = unet.get_layer(f"skip{step + 1}").output
        down = unet.get_layer(f"down{level + 1}_leaky_relu").output
        assert skip.shape[1:3] == down.shape[1:3]
    # the innermost and the first encoder layers have no normalisation (a 1 x 1 map has none)
    names = {layer.name for layer in unet.layers}
    assert "down1_norm" not in names and "down5_norm" not in names and "down2_norm" in names


def test_unet_dropout_is_noise_in_training_only() -> None:
    unet = build_unet_generator(16, 4, base_filters=4, max_filters=8, dropout_layers=2)
    batch = images(2, 16)
    np.testing.assert_array_equal(unet(batch, training=False), unet(batch, training=False))
    assert not np.allclose(unet(batch, training=True), unet(batch, training=True))
    dropouts = [layer.name for layer in unet.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == ["up1_dropout", "up2_dropout"]
    plain = build_unet_generator(16, 4, base_filters=4, max_filters=8, dropout_rate=0.0)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in plain.layers)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"image_size": 48, "downsamplings": 5}, "divisible by 2\\^downsamplings"),
        ({"image_size": 32, "downsamplings": 0}, "downsamplings >= 1"),
        ({"image_size": 32, "downsamplings": 3, "dropout_rate": 1.0}, "dropout_rate"),
    ],
)
def test_unet_rejects_impossible_settings(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_unet_generator(**arguments)


def test_resnet_generator_upsamples_by_resize_convolution_or_transposed_convolution() -> None:
    resize = build_resnet_generator(16, base_filters=4, residual_blocks=2)
    assert resize(images(2, 16)).shape == (2, 16, 16, 3)
    resizes = [layer for layer in resize.layers if isinstance(layer, ResizeConv2D)]
    assert [layer.filters for layer in resizes] == [8, 4]
    assert all(layer.padding == "reflect" and layer.interpolation == "nearest" for layer in resizes)
    assert not any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in resize.layers)
    assert resize.get_layer("residual2").output.shape == (None, 4, 4, 16)

    transposed = build_resnet_generator(
        16, base_filters=4, residual_blocks=2, upsampling="transposed"
    )
    assert transposed(images(1, 16)).shape == (1, 16, 16, 3)
    assert not any(isinstance(layer, ResizeConv2D) for layer in transposed.layers)
    with pytest.raises(ValueError, match="upsampling must be one of"):
        build_resnet_generator(16, upsampling="deconvolution")
    with pytest.raises(ValueError, match="divisible"):
        build_resnet_generator(18)


def test_patch_discriminator_without_condition_takes_the_image_alone() -> None:
    discriminator = build_conditional_patch_discriminator(32, 0, base_filters=4)
    outputs = discriminator(images(2, 32))
    assert len(discriminator.inputs) == 1 and outputs[-1].shape == (2, 4, 4, 1)
    conditional = build_conditional_patch_discriminator(32, 3, base_filters=4)
    assert conditional([images(2, 32), images(2, 32, 1)])[-1].shape == (2, 4, 4, 1)
    with pytest.raises(ValueError, match="condition_channels"):
        build_conditional_patch_discriminator(32, -1)


def test_patch_discriminator_with_three_layers_sees_70_by_70_patches() -> None:
    """The gradient of one central logit reaches exactly a 70 x 70 window of the input (no
    normalisation, which would couple every position)."""
    discriminator = build_conditional_patch_discriminator(128, 0, base_filters=2, norm="none")
    batch = images(1, 128)
    with tf.GradientTape() as tape:
        tape.watch(batch)
        logit = discriminator(batch)[-1][0, 8, 8, 0]
    support = np.abs(tape.gradient(logit, batch).numpy()[0]).sum(-1) > 0
    rows, columns = np.flatnonzero(support.any(1)), np.flatnonzero(support.any(0))
    assert rows[-1] - rows[0] + 1 == 70 and columns[-1] - columns[0] + 1 == 70
