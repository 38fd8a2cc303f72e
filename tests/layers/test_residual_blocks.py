"""ResidualBlock, AdaINResidualBlock and MultiNormResidualBlock against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.layers import AdaINResidualBlock, MultiNormResidualBlock, ResidualBlock


def conv(ref, layer, x):
    return ref.conv2d(x, np.asarray(layer.kernel), np.asarray(layer.bias))


def skip(ref, block, x, resample):
    if resample == "up":
        x = ref.bilinear_upsample2x(x)
    if block.skip_conv is not None:
        x = ref.conv2d(x, np.asarray(block.skip_conv.kernel))
    return ref.average_pool2x(x) if resample == "down" else x


@pytest.mark.parametrize(
    ("filters", "resample", "norm"),
    [(4, None, "none"), (4, None, "instance"), (6, "down", "instance"), (6, "up", "none")],
)
def test_residual_block_matches_numpy(ref, rng, randomize, filters, resample, norm) -> None:
    x = rng.normal(size=(2, 4, 4, 4)).astype("float32")
    block = ResidualBlock(filters, resample=resample, norm=norm, activation="relu")
    block.build(x.shape)
    randomize(block, rng)
    assert (block.skip_conv is not None) == (filters != 4)

    def normalize(layer, features):
        if norm == "none":
            return features
        return ref.instance_norm(features) * np.asarray(layer.gamma) + np.asarray(layer.beta)

    inner = ref.bilinear_upsample2x(x) if resample == "up" else x
    inner = ref.relu(normalize(block.norm1, conv(ref, block.conv1, inner)))
    if resample == "down":
        inner = ref.average_pool2x(inner)
    inner = normalize(block.norm2, conv(ref, block.conv2, inner))
    expected = skip(ref, block, x, resample) + inner
    out = block(x, training=True)
    assert out.shape == block.compute_output_shape(x.shape)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_residual_block_with_batch_norm_and_reflection_padding(rng) -> None:
    x = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    block = ResidualBlock(3, norm="batch", padding="reflect")
    assert block(x, training=True).shape == x.shape
    assert len(block.norm1.non_trainable_weights) == 2  # moving mean and variance


@pytest.mark.parametrize(("filters", "resample"), [(4, None), (6, "up"), (6, "down")])
def test_adain_residual_block_matches_numpy(ref, rng, randomize, filters, resample) -> None:
    x = rng.normal(size=(2, 4, 4, 4)).astype("float32")
    style = rng.normal(size=(2, 3)).astype("float32")
    block = AdaINResidualBlock(filters, resample=resample)
    block.build([x.shape, style.shape])
    randomize(block, rng)

    def adain(layer, features):
        affine = layer.style_affine
        return ref.adain_learned(features, style, np.asarray(affine.kernel), affine.bias)

    inner = ref.leaky_relu(adain(block.norm1, x))
    inner = ref.bilinear_upsample2x(inner) if resample == "up" else inner
    inner = conv(ref, block.conv1, inner)
    inner = ref.average_pool2x(inner) if resample == "down" else inner
    inner = conv(ref, block.conv2, ref.leaky_relu(adain(block.norm2, inner)))
    expected = skip(ref, block, x, resample) + inner
    np.testing.assert_allclose(block([x, style]), expected, rtol=1e-4, atol=1e-4)


def test_multi_norm_residual_block_matches_numpy(ref, rng, randomize, get_spade_weights) -> None:
    x = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    source = rng.normal(size=(2, 4, 4, 1)).astype("float32")
    source = np.repeat(np.repeat(source, 2, axis=1), 2, axis=2)  # 2x2 blocks: resize-exact
    style = rng.normal(size=(2, 3)).astype("float32")
    block = MultiNormResidualBlock(5, resample="up", hidden_filters=3)
    block.build([x.shape, source.shape, style.shape])
    randomize(block, rng, scale=0.2)

    def multi_norm(layer, features):
        small = source[:, ::2, ::2] if features.shape[1] == 4 else source  # nearest resize
        spaded = ref.spade(features, small, get_spade_weights(layer.spade))
        affine = layer.adain.style_affine
        return ref.adain_learned(spaded, style, np.asarray(affine.kernel), affine.bias)

    inner = ref.leaky_relu(multi_norm(block.norm1, x))
    inner = conv(ref, block.conv1, ref.bilinear_upsample2x(inner))
    inner = conv(ref, block.conv2, ref.leaky_relu(multi_norm(block.norm2, inner)))
    expected = skip(ref, block, x, "up") + inner
    out = block([x, source, style], training=True)
    assert out.shape == (2, 8, 8, 5)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_bad_config_and_inputs_raise() -> None:
    with pytest.raises(ValueError, match="resample"):
        ResidualBlock(4, resample="sideways")
    with pytest.raises(ValueError, match="norm"):
        ResidualBlock(4, norm="group")
    with pytest.raises(ValueError, match="unknown activation"):
        AdaINResidualBlock(4, activation="nope")
    with pytest.raises(ValueError, match="odd kernel_size"):
        ResidualBlock(4, kernel_size=4, padding="reflect")
    with pytest.raises(ValueError, match="filters"):
        MultiNormResidualBlock(0)
    with pytest.raises(ValueError, match="order"):
        MultiNormResidualBlock(4, order="sideways")
    x = np.zeros((2, 4, 4, 3), "float32")
    with pytest.raises(ValueError, match="list of 2"):
        AdaINResidualBlock(4)(x)
    with pytest.raises(ValueError, match="rank 4"):
        ResidualBlock(4)(x[0])
