"""The gated_inpainting baseline: training, variants, distribution, checkpoints, export, input checks."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.config import ConfigError, apply_overrides, get_preset
from tfface.export.writer import export_system
from tfface.systems import registry
from tfface.systems.gated_inpainting import GatedInpaintingSystem, build_networks
from tfface.systems.inpainting_perceptual import attach_perceptual_extractor
from tfface.training.strategy import make_strategy

SIZE = 64
SYSTEM = "gated_inpainting"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    from pipelines import synthfaces

    folder = tmp_path_factory.mktemp("synthfaces")
    synthfaces.main(
        ["--output", str(folder), "--identities", "4", "--size", str(SIZE), "--uv-size", "32"]
        + ["--yaws", "0", "20", "--splits", "train=1,validation=0,test=0"]
    )
    return str(folder)


def tiny_config(data_dir: str, *overrides: str):
    """The tiny preset on the test data (holes: free-form strokes, the data has none)."""
    registry.get(SYSTEM)  # registers the presets
    return apply_overrides(get_preset(SYSTEM, "tiny"), [f"data.data_dir={data_dir}", *overrides])


def fixed_batches(config, data_dir: str, count: int) -> tf.data.Dataset:
    """`count` batches of the system's dataset, materialised so every run sees the same ones."""
    batches = list(registry.get(SYSTEM).dataset(config, data_dir).take(count))
    stacked = {key: tf.stack([batch[key] for batch in batches]) for key in batches[0]}
    return tf.data.Dataset.from_tensor_slices(stacked)


def make_system(config, strategy: tf.distribute.Strategy | None = None) -> GatedInpaintingSystem:
    spec = registry.get(SYSTEM)
    with (strategy or tf.distribute.get_strategy()).scope():
        system = spec.build(config)
        spec.compile(system, config)
        system.enable_ema()
    return system


def values(variables) -> list[np.ndarray]:
    return [variable.numpy() for variable in variables]


@pytest.fixture(scope="module")
def trained(data_dir):
    """A tiny system (contextual attention on) after 2 steps."""
    config = tiny_config(data_dir)
    batches = fixed_batches(config, data_dir, 2)
    system = make_system(config)
    initial = {name: values(system.variables_of(name)) for name in system.network_names}
    history = system.fit(batches, verbose=0).history
    return {
        "config": config,
        "system": system,
        "batches": batches,
        "initial": initial,
        "history": history,
    }


@pytest.fixture(scope="module")
def batch(trained) -> dict[str, tf.Tensor]:
    return next(iter(trained["batches"]))


def test_tiny_system_trains_with_finite_losses(trained, batch) -> None:
    system, history = trained["system"], trained["history"]
    assert int(system.step_counter.numpy()) == 2
    for name in ("coarse_l1_loss", "refined_l1_loss", "generator_loss", "discriminator_loss"):
        assert np.isfinite(history[name][0]) and history[name][0] > 0, name
    assert np.isfinite(history["adversarial_loss"][0])  # hinge: -D(fake), any sign
    for name in system.network_names:
        moved = max(
            np.abs(a - b).max()
            for a, b in zip(
                trained["initial"][name], values(system.variables_of(name)), strict=True
            )
        )
        assert moved > 0, name
    outputs = system.forward(batch["image"], batch["hole_mask"])
    for name in ("coarse", "refined", "image"):
        assert outputs[name].shape == (4, SIZE, SIZE, 3)
        assert np.abs(outputs[name].numpy()).max() <= 1.0
    holes = np.broadcast_to(batch["hole_mask"].numpy(), (4, SIZE, SIZE, 3))
    np.testing.assert_array_equal(
        outputs["image"].numpy()[holes == 0], batch["image"].numpy()[holes == 0]
    )
    # The coarse stage is not a constant at initialisation (variance-preserving gated kernels).
    assert outputs["coarse"].numpy().std() > 1e-3


def test_variants_train_a_step(data_dir, batch) -> None:
    """Without contextual attention, least-squares GAN, perceptual losses (random VGG16)."""
    config = tiny_config(
        data_dir,
        "model.contextual_attention=false",
        "model.adversarial_form=least_squares",
        "model.perceptual_weights=random",
        "model.content_weight=0.02",
        "model.style_weight=50000",
    )
    system = make_system(config)
    assert not any("contextual" in layer.name for layer in system.generator.layers)
    logs = system.train_step(batch)  # eagerly
    assert all(np.isfinite(float(value)) for value in logs.values())
    assert float(logs["content_loss"]) > 0 and float(logs["style_loss"]) > 0
    with pytest.raises(ConfigError, match="multiple of 8"):
        tiny_config(data_dir, "data.image_size=36")


@pytest.mark.isolated
def test_two_replicas_make_the_update_of_one_device(data_dir) -> None:
    """L1 (both stages), hinge GAN, content and style (random VGG16): 2 replicas == 1 device."""
    strategy = make_strategy("mirrored")
    if strategy.num_replicas_in_sync != 2:
        pytest.fail("needs 2 logical CPU devices (tests/conftest.py)")
    config = tiny_config(
        data_dir,
        "model.perceptual_weights=random",
        "model.content_weight=0.02",
        "model.style_weight=50000",
    )
    batches = fixed_batches(config, data_dir, 2)
    systems = []
    for scope in (tf.distribute.get_strategy(), strategy):
        with scope.scope():
            system = registry.get(SYSTEM).build(config)
            attach_perceptual_extractor(system)
            system.compile(
                optimizers={  # small steps: the random-VGG16 style term has huge gradients
                    name: keras.optimizers.SGD(1e-4) for name in ("generator", "discriminator")
                }
            )
        systems.append(system)
    single, mirrored = systems
    initial = values(single.variables_of(*single.network_names))
    single_history = single.fit(batches, verbose=0).history
    mirrored_history = mirrored.fit(batches, verbose=0).history
    assert single_history["content_loss"][0] > 0 and single_history["style_loss"][0] > 0
    for key, value in single_history.items():
        np.testing.assert_allclose(mirrored_history[key], value, rtol=1e-4, atol=1e-6, err_msg=key)
    names = single.network_names
    single_weights = values(single.variables_of(*names))
    for a, b in zip(single_weights, values(mirrored.variables_of(*names)), strict=True):
        np.testing.assert_allclose(a, b, atol=2e-5)
    moved = max(np.abs(a - b).max() for a, b in zip(initial, single_weights, strict=True))
    assert moved > 1e-4


def test_checkpoint_round_trip(trained, batch, tmp_path) -> None:
    system, config = trained["system"], trained["config"]
    path = system.checkpoint().save(str(tmp_path / "checkpoint"))
    restored = make_system(config)
    restored.checkpoint().restore(path).assert_existing_objects_matched()
    assert int(restored.step_counter.numpy()) == 2
    assert int(restored.optimizer_discriminator.iterations.numpy()) == 2
    names = system.network_names
    for a, b in zip(
        values(system.variables_of(*names)), values(restored.variables_of(*names)), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    inputs = {"image": batch["image"], "hole_mask": batch["hole_mask"]}
    np.testing.assert_allclose(system(inputs).numpy(), restored(inputs).numpy(), atol=1e-6)


def test_export_round_trip_and_in_graph_checks(trained, batch, tmp_path) -> None:
    system = trained["system"]
    result = export_system(system, SYSTEM, tmp_path / "models", "gated")
    assert set(result.signatures) == {"serving_default", "inpaint", "inpaint_unit_mask"} | {
        "serving_bytes",
        "inpaint_bytes",
        "inpaint_unit_mask_bytes",
    }
    loaded = tf.saved_model.load(str(result.version_dir))
    images = tf.cast(tf.round((batch["image"] + 1.0) * 127.5), tf.uint8)
    holes = batch["hole_mask"]
    served = loaded.signatures["serving_default"](
        image=images, hole_mask=tf.cast(holes * 255, tf.uint8)
    )
    expected = system.inpaint(images.numpy() / 127.5 - 1.0, holes.numpy())
    expected = np.round((expected + 1.0) * 127.5).astype(np.int32)
    assert np.abs(served["image"].numpy().astype(np.int32) - expected).max() <= 1
    unit = loaded.signatures["inpaint_unit_mask"](image=images, hole_mask=holes)
    np.testing.assert_array_equal(unit["image"].numpy(), served["image"].numpy())
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="input hole_mask must hold only the values 0, 1"
    ):
        loaded.signatures["inpaint_unit_mask"](image=images, hole_mask=holes * 0.5)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"input hole_mask must be uint8 \(batch, 64, 64, 1\)"
    ):
        loaded.signatures["inpaint"](image=images, hole_mask=tf.zeros([4, SIZE, SIZE, 2], tf.uint8))


def test_inpaint_api_rejects_bad_input(trained, batch) -> None:
    system = trained["system"]
    images, holes = batch["image"].numpy(), batch["hole_mask"].numpy()
    assert system.inpaint(images[0], holes[0]).shape == (1, SIZE, SIZE, 3)
    with pytest.raises(ValueError, match="32x32 but the model works on 64x64"):
        system.inpaint(images[:, :32, :32], holes[:, :32, :32])
    with pytest.raises(ValueError, match="need 1 channel"):
        system.inpaint(images, np.concatenate([holes, holes], axis=-1))
    with pytest.raises(ValueError, match=r"got values \[2.0\]"):
        system.inpaint(images, holes * 2)
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\]"):
        system.inpaint(images * 3.0, holes)


def test_paper_generator_has_the_size_of_deepfill_v2() -> None:
    """Yu et al. report 4.1M generator parameters (cnum 48 = 24 gated features)."""
    registry.get(SYSTEM)
    model = get_preset(SYSTEM, "paper").resolved_model()
    networks = build_networks(dataclasses.replace(model, image_size=64), seed=0)
    assert networks["generator"].count_params() == pytest.approx(4.1e6, rel=0.02)
    assert networks["discriminator"].output.shape == (None, 1, 1, 256)  # 64 / 2^6
