"""Pretrained feature networks over keras.applications: VGG16, VGG19, InceptionV3.

Each builder returns a frozen ``keras.Model`` that takes RGB images (B, H, W, 3) in
[-1, 1] (ImageNet preprocessing happens inside) and returns a dict of named layer
outputs, the ``FeatureExtractor`` the perceptual losses take. Weights come from
``tfface.weights.resolution`` (explicit path > $TFFACE_WEIGHTS_DIR > Keras cache /
download > error); ``weights="random"`` keeps the random initialisation (tests).

VGG layer names: Keras names (``block3_conv2``, ``block3_pool``) or the theses'
names: ``conv3_2`` and ``relu3_2`` both mean ``block3_conv2`` (Keras fuses the ReLU
into the convolution) and ``pool3`` means ``block3_pool``. The dict is keyed by the
names asked for. Average pooling (Liu 2019 section 2.1.4 / 4.2.1, after Gatys et al.)
rebuilds VGG19 with AveragePooling2D in place of every MaxPooling2D and loads the
same weights.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import keras

from tfface.losses.perceptual_presets import PerceptualPreset, perceptual_preset
from tfface.weights.preprocessing import ImageNetPreprocessing
from tfface.weights.resolution import resolve_weights

WeightsSpec = str | os.PathLike
"""``"imagenet"`` (resolved), ``"random"`` (tests only) or a path to a weight file."""

VGG_CONVOLUTIONS_PER_BLOCK: dict[str, tuple[int, ...]] = {
    "vgg16": (2, 2, 3, 3, 3),
    "vgg19": (2, 2, 4, 4, 4),
}
_THESIS_NAME = re.compile(r"^(conv|relu)([1-5])_([1-4])$")
_POOL_NAME = re.compile(r"^pool([1-5])$")


def vgg_layer_names(network: str) -> tuple[str, ...]:
    """Keras layer names of the VGG convolution and pooling layers, in order."""
    if network not in VGG_CONVOLUTIONS_PER_BLOCK:
        raise ValueError(f"unknown VGG {network!r}; expected vgg16 or vgg19")
    names = []
    for block, count in enumerate(VGG_CONVOLUTIONS_PER_BLOCK[network], start=1):
        names += [f"block{block}_conv{index}" for index in range(1, count + 1)]
        names.append(f"block{block}_pool")
    return tuple(names)


def vgg_keras_layer_name(name: str, network: str) -> str:
    """Maps ``conv3_2`` / ``relu3_2`` / ``pool3`` / ``block3_conv2`` to the Keras name."""
    known = vgg_layer_names(network)
    keras_name = name
    if match := _THESIS_NAME.match(name):
        keras_name = f"block{match.group(2)}_conv{match.group(3)}"
    elif match := _POOL_NAME.match(name):
        keras_name = f"block{match.group(1)}_pool"
    if keras_name not in known:
        raise ValueError(
            f"{network} has no layer {name!r}; use convB_I / reluB_I / poolB or one of: "
            f"{', '.join(known)}"
        )
    return keras_name


def _weights_path(weights: WeightsSpec, key: str, allow_download: bool) -> Path | None:
    """None for random weights, else the resolved file."""
    if weights == "random":
        return None
    if weights == "imagenet":
        return resolve_weights(key, allow_download=allow_download)
    return resolve_weights(key, weights_path=weights, allow_download=allow_download)


def _with_average_pooling(model: keras.Model) -> keras.Model:
    """A copy of ``model`` with every MaxPooling2D replaced by an AveragePooling2D."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        if isinstance(layer, keras.layers.MaxPooling2D):
            return keras.layers.AveragePooling2D(
                pool_size=layer.pool_size,
                strides=layer.strides,
                padding=layer.padding,
                name=layer.name,
            )
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=clone)


def _frozen_extractor(
    body: keras.Model, preprocessing: keras.layers.Layer | list, name: str
) -> keras.Model:
    """images [-1, 1] -> preprocessing -> body -> dict; not trainable."""
    images = keras.Input(shape=(None, None, 3), name="images")
    steps = preprocessing if isinstance(preprocessing, list) else [preprocessing]
    inputs = images
    for step in steps:
        inputs = step(inputs)
    model = keras.Model(images, body(inputs), name=name)
    model.trainable = False
    return model


def vgg_features(
    network: Literal["vgg16", "vgg19"],
    layers: Sequence[str],
    pooling: Literal["max", "average"] = "max",
    weights: WeightsSpec = "imagenet",
    allow_download: bool = True,
) -> keras.Model:
    """VGG feature extractor: images (B, H, W, 3) in [-1, 1] -> {layer: (B, h, w, c)}.

    Args:
        network: ``vgg16`` or ``vgg19``.
        layers: layer names (module docstring); the dict is keyed by them.
        pooling: ``max`` (ImageNet VGG) or ``average`` (Gatys; same weights).
        weights: ``imagenet``, ``random`` or a path to the keras.applications notop file.
        allow_download: let ``imagenet`` download into the Keras cache if needed.

    Returns:
        A frozen keras.Model computing only up to the deepest requested layer.
    """
    if pooling not in ("max", "average"):
        raise ValueError(f"unknown pooling {pooling!r}; expected 'max' or 'average'")
    layers = list(layers)
    if not layers:
        raise ValueError("layers is empty; name at least one VGG layer")
    keras_names = {name: vgg_keras_layer_name(name, network) for name in layers}
    path = _weights_path(weights, f"{network}_notop", allow_download)  # before the heavy build
    build = keras.applications.VGG16 if network == "vgg16" else keras.applications.VGG19
    base = build(include_top=False, weights=None, input_shape=(None, None, 3))
    if pooling == "average":
        base = _with_average_pooling(base)
    if path is not None:
        base.load_weights(str(path))
    outputs = {name: base.get_layer(keras_name).output for name, keras_name in keras_names.items()}
    body = keras.Model(base.inputs, outputs, name=f"{network}_{pooling}_pool_body")
    return _frozen_extractor(
        body, ImageNetPreprocessing("caffe"), name=f"{network}_{pooling}_pool_features"
    )


def vgg16_features(
    layers: Sequence[str] = ("relu1_2", "relu2_2", "relu3_3", "relu4_3"),
    weights: WeightsSpec = "imagenet",
    allow_download: bool = True,
) -> keras.Model:
    """VGG16 (max pooling) extractor; default layers are Sevastopolskiy 2019's relu1_2..relu4_3."""
    return vgg_features("vgg16", layers, "max", weights, allow_download)


def vgg19_features(
    layers: Sequence[str] = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"),
    pooling: Literal["max", "average"] = "max",
    weights: WeightsSpec = "imagenet",
    allow_download: bool = True,
) -> keras.Model:
    """VGG19 extractor (max or average pooling); default layers relu1_1..relu5_1."""
    return vgg_features("vgg19", layers, pooling, weights, allow_download)


def vgg_features_for_preset(
    preset: PerceptualPreset | str, weights: WeightsSpec = "imagenet", allow_download: bool = True
) -> keras.Model:
    """The extractor a ``tfface.losses.PerceptualPreset`` (or its name) needs: its network,
    pooling and ``preset.layers``."""
    preset = perceptual_preset(preset) if isinstance(preset, str) else preset
    return vgg_features(preset.network, preset.layers, preset.pooling, weights, allow_download)


def inception_v3_features(
    weights: WeightsSpec = "imagenet",
    allow_download: bool = True,
    image_size: int = 299,
) -> keras.Model:
    """InceptionV3 extractor: images (B, H, W, 3) in [-1, 1] -> {"pool3": (B, 2048), "logits": (B, 1000)}.

    Images are resized bilinearly to ``image_size`` (299 for FID / IS; tests may use
    75, the smallest InceptionV3 accepts). ``pool3`` is the global average pool used
    by FID / KID; ``logits`` are the pre-softmax ImageNet scores used by IS. These are
    the keras.applications ImageNet weights, not the 2015 TF-slim graph that the
    reference FID code (and pytorch-fid) use, so absolute FID values are comparable
    between tfface runs, not with published numbers.

    Args:
        weights: ``imagenet``, ``random`` or a path to the keras.applications file
            with top (inception_v3_weights_tf_dim_ordering_tf_kernels.h5).
        allow_download: let ``imagenet`` download into the Keras cache if needed.
        image_size: side the images are resized to, >= 75.
    """
    if image_size < 75:
        raise ValueError(f"InceptionV3 needs images of at least 75 x 75, got {image_size}")
    path = _weights_path(weights, "inception_v3", allow_download)
    base = keras.applications.InceptionV3(
        include_top=True,
        weights=None,
        input_shape=(image_size, image_size, 3),
        classifier_activation=None,
    )
    if path is not None:
        base.load_weights(str(path))
    outputs = {"pool3": base.get_layer("avg_pool").output, "logits": base.output}
    body = keras.Model(base.inputs, outputs, name="inception_v3_body")
    steps = [
        keras.layers.Resizing(image_size, image_size, interpolation="bilinear"),
        ImageNetPreprocessing("tf"),
    ]
    return _frozen_extractor(body, steps, name="inception_v3_features")
