"""Every layer: get_config round trip, .keras save/load, and one model.fit step through it."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface import layers as tfl

FEATURES = (4, 8, 8, 4)
# name: (factory, input shapes with batch 4; the first input is the trained feature map)
CASES: dict[str, tuple[Callable[[], keras.layers.Layer], list[tuple[int, ...]]]] = {
    "instance_norm": (lambda: tfl.InstanceNormalization(affine=False), [FEATURES]),
    "adain_style": (lambda: tfl.AdaIN(), [FEATURES, (4, 3)]),
    "adain_external": (lambda: tfl.AdaIN(), [FEATURES, (4, 4), (4, 4)]),
    "spade": (lambda: tfl.SPADE(hidden_filters=4), [FEATURES, (4, 16, 16, 2)]),
    "multi_norm": (lambda: tfl.MultiNorm(hidden_filters=4), [FEATURES, (4, 8, 8, 2), (4, 3)]),
    "conditional_instance_norm": (
        lambda: tfl.ConditionalInstanceNormalization(hidden_units=4),
        [FEATURES, (4, 68, 3)],
    ),
    "self_attention": (lambda: tfl.SelfAttention(reduction=2), [FEATURES]),
    "gated_conv": (lambda: tfl.GatedConv2D(3, use_spectral_norm=True), [FEATURES]),
    "reflection_padding": (lambda: tfl.ReflectionPadding2D(((1, 2), (0, 1))), [FEATURES]),
    "resize_conv": (lambda: tfl.ResizeConv2D(3, padding="reflect"), [FEATURES]),
    "residual_block": (
        lambda: tfl.ResidualBlock(6, resample="down", norm="batch", padding="reflect"),
        [FEATURES],
    ),
    "adain_residual_block": (
        lambda: tfl.AdaINResidualBlock(6, resample="up"),
        [FEATURES, (4, 3)],
    ),
    "multi_norm_residual_block": (
        lambda: tfl.MultiNormResidualBlock(4, hidden_filters=4, base_norm="instance"),
        [FEATURES, (4, 8, 8, 2), (4, 3)],
    ),
    "pacgan_packing": (lambda: tfl.PacGANPacking(2), [FEATURES]),
    "reparameterize": (lambda: tfl.Reparameterize(seed=1), [(4, 6), (4, 6)]),
}


def build_model(layer: keras.layers.Layer, shapes: list[tuple[int, ...]]) -> keras.Model:
    """Inputs -> Dense on the first input (so there is always something to train) -> layer."""
    inputs = [keras.Input(shape[1:], name=f"input_{i}") for i, shape in enumerate(shapes)]
    first = keras.layers.Dense(shapes[0][-1], name="pre")(inputs[0])
    outputs = layer([first, *inputs[1:]] if len(inputs) > 1 else first)
    return keras.Model(inputs, outputs)


def make_inputs(shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.normal(size=shape).astype("float32") for shape in shapes]


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_round_trip(name: str) -> None:
    factory, shapes = CASES[name]
    layer = factory()
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == f"tfface>{type(layer).__name__}"
    assert keras.saving.deserialize_keras_object(serialized).get_config() == config


@pytest.mark.parametrize("name", sorted(CASES))
def test_save_load_and_fit_one_step(name: str, tmp_path) -> None:
    factory, shapes = CASES[name]
    model = build_model(factory(), shapes)
    inputs = make_inputs(shapes)
    expected = np.asarray(model(inputs, training=False))
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded(inputs, training=False), expected, rtol=1e-5, atol=1e-5)

    targets = np.zeros(expected.shape, "float32")
    dataset = tf.data.Dataset.from_tensors((tuple(inputs), targets))
    before = [np.asarray(w) for w in loaded.trainable_weights]
    loaded.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", jit_compile=False)
    history = loaded.fit(dataset, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])
    after = [np.asarray(w) for w in loaded.trainable_weights]
    assert any(not np.allclose(b, a) for b, a in zip(before, after, strict=True))


DYNAMIC = {  # layers that must accept unknown height and width (serving, fully convolutional)
    "spade": lambda: tfl.SPADE(hidden_filters=2),
    "self_attention": lambda: tfl.SelfAttention(reduction=2),
    "multi_norm_residual_block": lambda: tfl.MultiNormResidualBlock(
        4, resample="up", hidden_filters=2
    ),
    "residual_block": lambda: tfl.ResidualBlock(4, resample="down", padding="reflect"),
    "pacgan_packing": lambda: tfl.PacGANPacking(2),
    "resize_conv": lambda: tfl.ResizeConv2D(2, padding="reflect"),
}


@pytest.mark.parametrize("name", sorted(DYNAMIC))
def test_unknown_spatial_size(name: str) -> None:
    layer = DYNAMIC[name]()
    features = keras.Input((None, None, 4))
    extra = {"spade": [keras.Input((None, None, 1))]}.get(name, [])
    if name == "multi_norm_residual_block":
        extra = [keras.Input((None, None, 1)), keras.Input((3,))]
    model = keras.Model([features, *extra], layer([features, *extra] if extra else features))
    for size in (4, 6):
        inputs = [np.ones((2, size, size, 4), "float32")]
        inputs += [np.ones((2, 2 * size, 2 * size, 1), "float32")] if extra else []
        inputs += [np.ones((2, 3), "float32")] if len(extra) == 2 else []
        out = model(inputs)
        assert out.shape[1] in (size // 2, size, 2 * size)
