"""Output shapes of the mask-guided networks (tfface.networks), at tiny and paper sizes."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.networks import (
    build_background_encoder,
    build_background_fusing_generator,
    build_component_encoder,
    build_component_feature_decoder,
    build_component_image_decoder,
    build_conditional_patch_discriminator,
    build_face_parser,
    build_mask_encoder,
    build_mask_guided_generator,
    build_multi_mask_encoder,
)
from tfface.networks.component_feature_decoder import component_feature_size


def shapes(outputs) -> list[tuple[int, ...]]:
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [tuple(output.shape) for output in outputs]


@pytest.mark.parametrize(
    ("size", "downsamplings", "grid_features"),
    [((8, 12), 2, (2, 3)), ((20, 36), 2, (5, 9)), ((64, 64), 5, (16, 16)), ((32, 48), 4, (8, 12))],
)
def test_component_autoencoder_shapes(size, downsamplings, grid_features) -> None:
    encoder = build_component_encoder(
        size, "mouth", base_filters=4, max_filters=16, downsamplings=downsamplings, latent_dim=8
    )
    decoder = build_component_image_decoder(
        size, "mouth", base_filters=4, max_filters=16, upsamplings=downsamplings, latent_dim=8
    )
    features = build_component_feature_decoder(
        size, "mouth", 6, base_filters=4, max_filters=16, upsamplings=downsamplings, latent_dim=8
    )
    crops = tf.random.uniform((2, *size, 3), -1, 1)
    codes = encoder(crops)
    assert shapes(codes) == [(2, 8)]
    image = decoder(codes)
    assert shapes(image) == [(2, *size, 3)]
    assert float(tf.reduce_max(tf.abs(image))) <= 1.0
    assert shapes(features(codes)) == [(2, *grid_features, 6)]
    assert component_feature_size(size) == grid_features
    assert encoder.name == "mouth_encoder" and decoder.name == "mouth_decoder"


def test_variational_encoder_returns_mean_and_log_variance() -> None:
    encoder = build_component_encoder((8, 12), "left_eye", 4, 16, 2, latent_dim=8, variational=True)
    assert shapes(encoder(tf.zeros((3, 8, 12, 3)))) == [(3, 8), (3, 8)]


def test_mask_encoders_give_quarter_resolution_features() -> None:
    mask = tf.one_hot(tf.zeros((2, 32, 32), tf.int32), 11)
    assert shapes(build_mask_encoder(32, 11, base_filters=4)(mask)) == [(2, 8, 8, 16)]
    assert shapes(build_multi_mask_encoder(32, 11, base_filters=4)(mask)) == [(2, 8, 8, 80)]
    # The thesis's E_m: 256 x 256 x 11 -> 64 x 64 x 256 (sec. 3.2.2).
    assert build_mask_encoder(256, 11, base_filters=64).output.shape[1:] == (64, 64, 256)


def test_multi_mask_encoder_splits_components() -> None:
    """Only the mouth labels 7-9 reach the mouth encoder: other labels leave it unchanged."""
    encoder = build_multi_mask_encoder(16, 11, base_filters=2)
    labels = np.zeros((1, 16, 16), np.int32)
    labels[0, 5:9, 5:9] = 8
    other = labels.copy()
    other[0, 0:3, 0:3] = 10  # hair: changes the hair encoder's output only
    outputs = [encoder(tf.one_hot(x, 11)).numpy() for x in (labels, other)]
    channels = 2 * 4
    mouth = slice(2 * channels, 3 * channels)
    hair = slice(4 * channels, 5 * channels)
    np.testing.assert_allclose(outputs[0][..., mouth], outputs[1][..., mouth])
    assert np.abs(outputs[0][..., hair] - outputs[1][..., hair]).max() > 0


def test_mask_guided_generator_and_background_fusing_shapes() -> None:
    generator = build_mask_guided_generator(
        32, 20, base_filters=4, downsamplings=3, residual_blocks=1
    )
    image, features = generator(tf.zeros((2, 8, 8, 20)))
    assert shapes([image, features]) == [(2, 32, 32, 3), (2, 32, 32, 4)]
    background = build_background_encoder(32, base_filters=5)(tf.zeros((2, 32, 32, 3)))
    assert shapes(background) == [(2, 32, 32, 5)]
    fusing = build_background_fusing_generator(32, 4, 5, base_filters=6)
    assert shapes(fusing([image, features, background])) == [(2, 32, 32, 3)]
    with pytest.raises(ValueError, match="divisible"):
        build_mask_guided_generator(36, 20, downsamplings=3)
    with pytest.raises(ValueError, match=">= 2"):
        build_mask_guided_generator(32, 20, downsamplings=1)


def test_discriminators_return_features_and_patch_logits() -> None:
    full = build_conditional_patch_discriminator(32, 11, base_filters=4, layers=2)
    half = build_conditional_patch_discriminator(
        32, 11, base_filters=4, layers=2, input_downsamplings=1
    )
    inputs = [tf.zeros((2, 32, 32, 3)), tf.zeros((2, 32, 32, 11))]
    assert shapes(full(inputs)) == [(2, 16, 16, 4), (2, 8, 8, 8), (2, 8, 8, 16), (2, 8, 8, 1)]
    assert shapes(half(inputs)) == [(2, 8, 8, 4), (2, 4, 4, 8), (2, 4, 4, 16), (2, 4, 4, 1)]


def test_second_discriminator_sees_average_pooled_inputs() -> None:
    """Its pooling is pix2pixHD's 3 x 3 / stride 2 average without the padded zeros."""
    half = build_conditional_patch_discriminator(
        8, 1, base_filters=2, layers=1, input_downsamplings=1
    )
    pooled = half.get_layer("pool1")
    values = np.arange(64, dtype=np.float32).reshape(1, 8, 8, 1)
    result = pooled(values).numpy()[0, :, :, 0]
    padded = np.pad(values[0, :, :, 0], ((0, 1), (0, 1)), constant_values=np.nan)
    expected = np.array(
        [
            [np.nanmean(padded[2 * i : 2 * i + 3, 2 * j : 2 * j + 3]) for j in range(4)]
            for i in range(4)
        ]
    )
    np.testing.assert_allclose(result, expected, rtol=1e-6)


def test_face_parser_gives_logits_per_class() -> None:
    parser = build_face_parser(32, 11, base_filters=4, depth=3)
    assert shapes(parser(tf.zeros((2, 32, 32, 3)))) == [(2, 32, 32, 11)]
    with pytest.raises(ValueError, match="divisible"):
        build_face_parser(36, 11, depth=3)
