"""The networks of deocclusion: the ResNet-18 U-Net (N_S), the gated residual generator (N_G)
and the VGG-shaped discriminator, against the published ResNet-18 size and their shapes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from tfface.layers import SelfAttention
from tfface.networks.gated_residual_generator import (
    build_gated_residual_generator,
    build_vgg_discriminator,
)
from tfface.networks.resnet18_unet import build_resnet18_unet, resnet18_features

RESNET18_TRAINABLE_WITHOUT_FC = 11_689_512 - (512 * 1000 + 1000)
"""torchvision's resnet18 has 11,689,512 parameters, 513,000 of them in the classifier."""


def test_the_encoder_has_exactly_resnet18s_parameters() -> None:
    inputs = keras.Input((224, 224, 3))
    maps = resnet18_features(inputs, (64, 128, 256, 512), "batch")
    encoder = keras.Model(inputs, maps[-1])
    trainable = sum(int(np.prod(weight.shape)) for weight in encoder.trainable_weights)
    assert trainable == RESNET18_TRAINABLE_WITHOUT_FC
    assert [tuple(map_.shape[1:]) for map_ in maps] == [
        (112, 112, 64),
        (56, 56, 64),
        (28, 28, 128),
        (14, 14, 256),
        (7, 7, 512),
    ]


def test_the_unet_maps_an_image_to_one_logit_per_pixel() -> None:
    network = build_resnet18_unet(64, (8, 8, 16, 16), (16, 8, 8, 8), 8, "layer")
    logits = network(np.zeros((2, 64, 64, 3), np.float32))
    assert logits.shape == (2, 64, 64, 1)
    names = [layer.name for layer in network.layers]
    assert {"decoder1_skip", "decoder4_skip", "face_logit"} <= set(names)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_size": 48}, "multiple|% 32"),
        ({"image_size": 64, "encoder_widths": (8, 16, 32)}, "4 stages"),
    ],
)
def test_the_unet_refuses_sizes_it_cannot_take(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_resnet18_unet(**kwargs)


def test_the_generator_keeps_the_size_and_range_and_attends_at_the_bottleneck() -> None:
    generator = build_gated_residual_generator(32, (8, 16, 32), bottleneck_blocks=3)
    inputs = np.random.default_rng(0).normal(size=(2, 32, 32, 7)).astype(np.float32)
    output = np.asarray(generator(inputs))
    assert output.shape == (2, 32, 32, 3)
    assert np.all(np.abs(output) <= 1.0)
    attention = [layer for layer in generator.layers if isinstance(layer, SelfAttention)]
    assert len(attention) == 1 and attention[0].input.shape[1:3] == (8, 8)
    names = [layer.name for layer in generator.layers]
    # the attention follows the middle one of the three bottleneck blocks
    assert names.index("self_attention") == names.index("bottleneck2_add") + 1
    without = build_gated_residual_generator(32, (8, 16, 32), 3, attention=False)
    assert not any(isinstance(layer, SelfAttention) for layer in without.layers)


def test_generator_and_discriminator_refuse_bad_sizes() -> None:
    with pytest.raises(ValueError, match="halves the image 2 times"):
        build_gated_residual_generator(30, (8, 16, 32))
    with pytest.raises(ValueError, match="bottleneck_blocks"):
        build_gated_residual_generator(32, (8, 16), bottleneck_blocks=0)
    with pytest.raises(ValueError, match="halves the image 3 times"):
        build_vgg_discriminator(36, (8, 16, 32))


def test_the_discriminator_gives_one_logit_per_image() -> None:
    discriminator = build_vgg_discriminator(32, (8, 16))
    assert discriminator(np.zeros((3, 32, 32, 3), np.float32)).shape == (3, 1)
    spectral = [
        layer
        for layer in discriminator.layers
        if isinstance(layer, keras.layers.SpectralNormalization)
    ]
    assert len(spectral) == 2 * 2 + 1  # two convolutions per stage and the logit
