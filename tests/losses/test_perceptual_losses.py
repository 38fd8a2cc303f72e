"""Content, Gram and style losses with a tiny random feature network, against NumPy."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import (
    DEFORMATION,
    MULTIMODAL,
    PERCEPTUAL_PRESETS,
    STYLE_TRANSFER,
    content_loss,
    gram_matrix,
    perceptual_losses,
    perceptual_preset,
    style_loss,
)


def tiny_extractor(layer_names: tuple[str, ...], seed: int = 0) -> keras.Model:
    """A random conv net with one named output per layer, each half the previous size."""
    keras.utils.set_random_seed(seed)
    images = keras.Input((None, None, 3))
    outputs, features = {}, images
    for index, name in enumerate(layer_names):
        strides = 1 if index == 0 else 2
        features = keras.layers.Conv2D(4 + index, 3, strides, "same", activation="relu")(features)
        outputs[name] = features
    return keras.Model(images, outputs)


def images(seed: int, size: int = 16) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, size=(2, size, size, 3)).astype(np.float32)


def numpy_features(extractor: keras.Model, batch: np.ndarray) -> dict[str, np.ndarray]:
    return {name: value.numpy().astype(np.float64) for name, value in extractor(batch).items()}


def test_gram_matrix_matches_numpy() -> None:
    features = np.random.default_rng(3).normal(size=(2, 5, 3, 4)).astype(np.float32)
    flat = features.reshape(2, 15, 4).astype(np.float64)
    expected = np.einsum("bpi,bpj->bij", flat, flat) / (5 * 3 * 4)
    result = gram_matrix(features).numpy()
    assert result.shape == (2, 4, 4)
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)


def test_style_transfer_preset_matches_thesis_003_formulas() -> None:
    """1/2 sum (F - P)^2 at conv3_2 and sum_l w_l / (4 C^2 M^4) sum (G - S)^2 with raw Gram."""
    layers = ("conv1_1", "conv2_1", "conv3_1", "conv3_2", "conv4_1", "conv5_1")
    extractor = tiny_extractor(layers)
    generated, target = images(1, 32), images(2, 32)
    content, style = perceptual_losses(extractor, generated, target, "style_transfer")
    generated_features = numpy_features(extractor, generated)
    target_features = numpy_features(extractor, target)
    expected_content = 0.5 * np.sum(
        (generated_features["conv3_2"] - target_features["conv3_2"]) ** 2, axis=(1, 2, 3)
    )
    expected_style = np.zeros(2)
    for layer, weight in STYLE_TRANSFER.style_layer_weights:
        f, s = generated_features[layer], target_features[layer]
        batch, height, width, channels = f.shape
        f, s = f.reshape(batch, -1, channels), s.reshape(batch, -1, channels)
        gram_f = np.einsum("bpi,bpj->bij", f, f)
        gram_s = np.einsum("bpi,bpj->bij", s, s)
        positions = height * width  # M_l^2
        energy = np.sum((gram_f - gram_s) ** 2, axis=(1, 2)) / (4 * channels**2 * positions**2)
        expected_style += weight * energy
    assert content.shape == (2,) and style.shape == (2,)
    np.testing.assert_allclose(content.numpy(), expected_content, rtol=1e-4)
    np.testing.assert_allclose(style.numpy(), expected_style, rtol=1e-4)


def test_deformation_preset_matches_thesis_004_formulas() -> None:
    """1/(8HW) sum_k ||P_k(x) - P_k(y)||_2 and 1/(HW) sum_k 2^-(6-k) ||dG_k / L_k||_F^2."""
    extractor = tiny_extractor(DEFORMATION.layers)
    generated, target = images(3), images(4)
    content, style = perceptual_losses(extractor, generated, target, DEFORMATION)
    generated_features = numpy_features(extractor, generated)
    target_features = numpy_features(extractor, target)
    area = 16 * 16
    expected_content = np.zeros(2)
    expected_style = np.zeros(2)
    for k, layer in enumerate(DEFORMATION.layers, start=1):
        f, s = generated_features[layer], target_features[layer]
        expected_content += np.sqrt(np.sum((f - s) ** 2, axis=(1, 2, 3)))
        batch, height, width, channels = f.shape
        elements = height * width * channels  # L_k
        f, s = f.reshape(batch, -1, channels), s.reshape(batch, -1, channels)
        difference = (np.einsum("bpi,bpj->bij", f, f) - np.einsum("bpi,bpj->bij", s, s)) / elements
        expected_style += np.sum(difference**2, axis=(1, 2)) / 2 ** (6 - k)
    np.testing.assert_allclose(content.numpy(), expected_content / (8 * area), rtol=1e-4)
    np.testing.assert_allclose(style.numpy(), expected_style / area, rtol=1e-4)


def test_multimodal_preset_is_weighted_mean_l1_without_style() -> None:
    extractor = tiny_extractor(MULTIMODAL.layers)
    generated, target = images(5), images(6)
    content, style = perceptual_losses(extractor, generated, target, MULTIMODAL)
    generated_features = numpy_features(extractor, generated)
    target_features = numpy_features(extractor, target)
    expected = sum(
        weight * np.mean(np.abs(generated_features[layer] - target_features[layer]), axis=(1, 2, 3))
        for layer, weight in MULTIMODAL.content_layer_weights
    )
    np.testing.assert_allclose(content.numpy(), expected, rtol=1e-4)
    np.testing.assert_array_equal(style.numpy(), [0.0, 0.0])
    assert [w for _, w in MULTIMODAL.content_layer_weights] == [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1]


def test_presets_carry_the_thesis_settings() -> None:
    assert set(PERCEPTUAL_PRESETS) == {
        "style_transfer",
        "deformation",
        "multimodal",
        "pose_editing",
    }
    assert PERCEPTUAL_PRESETS["pose_editing"].network == "vgg16"
    assert (STYLE_TRANSFER.network, STYLE_TRANSFER.pooling) == ("vgg19", "average")
    assert [w for _, w in STYLE_TRANSFER.style_layer_weights] == [0.5, 1.0, 1.5, 3.0, 4.0]
    assert STYLE_TRANSFER.content_layer_weights == (("conv3_2", 1.0),)
    assert DEFORMATION.network == "vgg16"
    assert DEFORMATION.layers == ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
    assert [w for _, w in DEFORMATION.style_layer_weights] == [1 / 32, 1 / 16, 1 / 8, 1 / 4]
    with pytest.raises(ValueError, match="known"):
        perceptual_preset("lpips")


@pytest.mark.parametrize(
    "distance,reference",
    [
        ("l1_mean", lambda d: np.mean(np.abs(d), axis=(1, 2, 3))),
        ("squared_l2_mean", lambda d: np.mean(d**2, axis=(1, 2, 3))),
        ("half_squared_l2_sum", lambda d: 0.5 * np.sum(d**2, axis=(1, 2, 3))),
        ("l2_norm", lambda d: np.sqrt(np.sum(d**2, axis=(1, 2, 3)))),
    ],
)
def test_content_distances(distance: str, reference) -> None:
    extractor = tiny_extractor(("a", "b"))
    generated, target = images(7), images(8)
    loss = content_loss(extractor, generated, target, {"a": 2.0, "b": 0.5}, distance, scale=3.0)
    g, t = numpy_features(extractor, generated), numpy_features(extractor, target)
    expected = 3.0 * (2.0 * reference(g["a"] - t["a"]) + 0.5 * reference(g["b"] - t["b"]))
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-4)


def test_identical_images_cost_zero_with_finite_gradients() -> None:
    extractor = tiny_extractor(("a", "b"))
    generated = tf.Variable(images(9))
    with tf.GradientTape(persistent=True) as tape:
        content = content_loss(extractor, generated, generated.value(), {"a": 1.0}, "l2_norm")
        style = style_loss(extractor, generated, generated.value(), {"a": 1.0, "b": 1.0})
    np.testing.assert_allclose(content.numpy(), 0.0, atol=1e-5)
    np.testing.assert_allclose(style.numpy(), 0.0, atol=1e-7)
    for loss in (content, style):
        assert np.all(np.isfinite(tape.gradient(loss, generated).numpy()))


def test_bad_inputs_raise_value_error() -> None:
    extractor = tiny_extractor(("a",))
    with pytest.raises(ValueError, match="no layer 'b'"):
        content_loss(extractor, images(0), images(1), {"b": 1.0})
    with pytest.raises(ValueError, match="same shape"):
        style_loss(extractor, images(0), images(1, 8), {"a": 1.0})
    with pytest.raises(ValueError, match="content distance"):
        content_loss(extractor, images(0), images(1), {"a": 1.0}, "cosine")
    with pytest.raises(ValueError, match="empty"):
        content_loss(extractor, images(0), images(1), {})
    with pytest.raises(ValueError, match="rank 4"):
        content_loss(extractor, images(0)[0], images(1)[0], {"a": 1.0})
