"""ForwardWarp and BackwardWarp layers: outputs, config round trip, saving, model.fit, bad input."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.layers.backward_warp import BackwardWarp
from tfface.layers.forward_warp import ForwardWarp
from tfface.ops import backward_warp, forward_warp

SHAPE = (2, 6, 5, 3)


def random_inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    image = rng.normal(size=SHAPE).astype(np.float32)
    flow = (rng.normal(size=(*SHAPE[:3], 2)) * 1.5).astype(np.float32)
    return image, flow


def test_forward_warp_layer_matches_op() -> None:
    image, flow = random_inputs()
    warped, mask = ForwardWarp(eps=1e-4)([image, flow])
    expected_warped, expected_mask = forward_warp(image, flow, eps=1e-4)
    np.testing.assert_allclose(warped, expected_warped, atol=1e-6)
    np.testing.assert_array_equal(mask, expected_mask)


def test_backward_warp_layer_matches_op() -> None:
    image, flow = random_inputs(1)
    np.testing.assert_allclose(
        BackwardWarp(padding="border")([image, flow]),
        backward_warp(image, flow, padding="border"),
        atol=1e-6,
    )


@pytest.mark.parametrize(
    "layer",
    [
        ForwardWarp(eps=1e-5, compile_kernels=True, name="splat"),
        BackwardWarp(padding="border", name="sampler"),
    ],
)
def test_config_round_trip(layer: keras.layers.Layer) -> None:
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def flow_model(layer: keras.layers.Layer) -> keras.Model:
    """image -> Conv2D predicts a flow -> the warp layer -> warped image (+ mask)."""
    image = keras.Input(SHAPE[1:], name="image")
    flow = keras.layers.Conv2D(2, 3, padding="same", name="flow")(image)
    outputs = layer([image, flow])
    warped = outputs[0] if isinstance(outputs, list | tuple) else outputs
    return keras.Model(image, warped)


@pytest.mark.parametrize("make_layer", [ForwardWarp, BackwardWarp])
@pytest.mark.parametrize("jit_compile", [False, True])
def test_fit_step_trains_the_flow_network(make_layer, jit_compile: bool) -> None:
    keras.utils.set_random_seed(0)
    model = flow_model(make_layer())
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=jit_compile)
    image, _ = random_inputs(2)
    target = np.roll(image, 1, axis=2)
    before = [keras.ops.convert_to_numpy(w) for w in model.get_layer("flow").weights]
    history = model.fit(image, target, batch_size=2, epochs=1, verbose=0)
    after = [keras.ops.convert_to_numpy(w) for w in model.get_layer("flow").weights]
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.allclose(b, a) for b, a in zip(before, after, strict=True))


@pytest.mark.parametrize("make_layer", [ForwardWarp, BackwardWarp])
def test_save_and_load_keras_file(make_layer, tmp_path) -> None:
    model = flow_model(make_layer())
    image, _ = random_inputs(3)
    expected = model.predict(image, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored.predict(image, verbose=0), expected, atol=1e-6)


def test_symbolic_output_shapes() -> None:
    image = keras.Input((7, 4, 3))
    flow = keras.Input((7, 4, 2))
    warped, mask = ForwardWarp()([image, flow])
    assert tuple(warped.shape) == (None, 7, 4, 3) and tuple(mask.shape) == (None, 7, 4, 1)
    assert tuple(BackwardWarp()([image, flow]).shape) == (None, 7, 4, 3)


@pytest.mark.parametrize("make_layer", [ForwardWarp, BackwardWarp])
def test_bad_inputs_raise_value_error(make_layer) -> None:
    image, flow = random_inputs()
    with pytest.raises(ValueError, match="list of 2 input tensors"):
        make_layer()(image)
    with pytest.raises(ValueError, match="rank 4"):
        make_layer()([image[0], flow])
    with pytest.raises(ValueError, match="2 channels"):
        make_layer()([image, image])
    with pytest.raises(ValueError, match="same height"):
        make_layer()([image, flow[:, :4]])


def test_bad_arguments_raise_value_error() -> None:
    with pytest.raises(ValueError, match="padding must be one of"):
        BackwardWarp(padding="reflect")
    with pytest.raises(ValueError, match="eps must be a positive number"):
        ForwardWarp(eps=0.0)


def test_mixed_precision_policy() -> None:
    image, flow = random_inputs(4)
    layer = ForwardWarp(dtype="mixed_float16")
    warped, mask = layer([image, flow])
    assert warped.dtype == tf.float16 and mask.dtype == tf.float16
    assert BackwardWarp(dtype="mixed_bfloat16")([image, flow]).dtype == tf.bfloat16


@pytest.mark.parametrize("make_layer", [ForwardWarp, BackwardWarp])
def test_saved_model_export_serves_without_tfface_objects(make_layer, tmp_path) -> None:
    model = flow_model(make_layer())
    image, _ = random_inputs(5)
    expected = model.predict(image, verbose=0)
    model.export(str(tmp_path / "export"), verbose=False)
    restored = tf.saved_model.load(str(tmp_path / "export"))
    np.testing.assert_allclose(restored.serve(tf.constant(image)), expected, atol=1e-5)
