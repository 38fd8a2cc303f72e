"""VGG16 / VGG19 / InceptionV3 extractors with random weights and fake weight files."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import perceptual_losses
from tfface.weights import (
    ImageNetPreprocessing,
    inception_v3_features,
    vgg16_features,
    vgg19_features,
    vgg_features_for_preset,
    vgg_keras_layer_name,
)

IMAGES = np.random.default_rng(0).uniform(-1, 1, size=(2, 32, 32, 3)).astype(np.float32)


def test_preprocessing_matches_keras_applications() -> None:
    expected = keras.applications.vgg19.preprocess_input((IMAGES + 1.0) * 127.5)
    np.testing.assert_allclose(ImageNetPreprocessing("caffe")(IMAGES).numpy(), expected, atol=1e-4)
    np.testing.assert_allclose(ImageNetPreprocessing("tf")(IMAGES).numpy(), IMAGES)
    inception = keras.applications.inception_v3.preprocess_input((IMAGES + 1.0) * 127.5)
    np.testing.assert_allclose(IMAGES, inception, atol=1e-5)


def test_layer_names() -> None:
    assert vgg_keras_layer_name("conv3_2", "vgg19") == "block3_conv2"
    assert vgg_keras_layer_name("relu4_3", "vgg16") == "block4_conv3"
    assert vgg_keras_layer_name("pool5", "vgg16") == "block5_pool"
    assert vgg_keras_layer_name("block5_conv4", "vgg19") == "block5_conv4"
    with pytest.raises(ValueError, match="vgg16 has no layer 'conv5_4'"):
        vgg_keras_layer_name("conv5_4", "vgg16")
    with pytest.raises(ValueError, match="pooling"):
        vgg19_features(["conv1_1"], pooling="min", weights="random")


def test_vgg16_random_features_are_named_dicts() -> None:
    extractor = vgg16_features(weights="random")
    features = extractor(IMAGES)
    shapes = {name: tuple(value.shape) for name, value in features.items()}
    assert shapes == {
        "relu1_2": (2, 32, 32, 64),
        "relu2_2": (2, 16, 16, 128),
        "relu3_3": (2, 8, 8, 256),
        "relu4_3": (2, 4, 4, 512),
    }
    assert not extractor.trainable_weights


def test_weights_load_from_tfface_weights_dir_for_max_and_average_pooling(
    isolated_weight_locations: dict[str, Path], legacy_h5_writer
) -> None:
    keras.utils.set_random_seed(1)
    source = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    path = (
        isolated_weight_locations["weights_dir"]
        / "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    written = legacy_h5_writer(source, path)
    layers = ["conv1_2", "conv2_1", "conv5_4"]
    max_pool = vgg19_features(layers, weights="imagenet", allow_download=False)
    average_pool = vgg19_features(layers, "average", weights="imagenet", allow_download=False)
    for extractor in (max_pool, average_pool):
        loaded = [np.asarray(weight.numpy()) for weight in extractor.weights]
        assert len(loaded) == len(written) == 32
        for expected, actual in zip(written, loaded, strict=True):
            np.testing.assert_array_equal(actual, expected)
    pools = [layer for layer in average_pool.layers[-1].layers if layer.name.endswith("_pool")]
    assert pools and all(isinstance(layer, keras.layers.AveragePooling2D) for layer in pools)
    max_features, average_features = max_pool(IMAGES), average_pool(IMAGES)
    np.testing.assert_allclose(max_features["conv1_2"], average_features["conv1_2"], rtol=1e-5)
    assert not np.allclose(max_features["conv2_1"], average_features["conv2_1"])
    # the same file as an explicit path
    explicit = vgg19_features(["conv1_2"], weights=path, allow_download=False)
    np.testing.assert_allclose(explicit(IMAGES)["conv1_2"], max_features["conv1_2"], rtol=1e-5)


def test_preset_extractor_feeds_the_perceptual_losses() -> None:
    extractor = vgg_features_for_preset("style_transfer", weights="random")
    assert set(extractor.output.keys()) == {
        "conv3_2",
        "conv1_1",
        "conv2_1",
        "conv3_1",
        "conv4_1",
        "conv5_1",
    }
    content, style = perceptual_losses(extractor, IMAGES, IMAGES[::-1], "style_transfer")
    assert content.shape == (2,) and style.shape == (2,)
    assert np.all(content.numpy() > 0) and np.all(style.numpy() > 0)
    same_content, same_style = perceptual_losses(extractor, IMAGES, IMAGES, "style_transfer")
    np.testing.assert_allclose(same_content.numpy(), 0.0, atol=1e-6)
    np.testing.assert_allclose(same_style.numpy(), 0.0, atol=1e-6)


def test_inception_v3_pool3_and_logits() -> None:
    extractor = inception_v3_features(weights="random", image_size=75)
    features = extractor(tf.constant(IMAGES[:1]))
    assert tuple(features["pool3"].shape) == (1, 2048)
    assert tuple(features["logits"].shape) == (1, 1000)
    assert np.all(features["pool3"].numpy() >= 0)
    with pytest.raises(ValueError, match="75"):
        inception_v3_features(weights="random", image_size=32)
