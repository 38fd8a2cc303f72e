"""The warp_inpainting system: training, samplers, distribution, checkpoints, export, input checks."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfface.config import ConfigError, apply_overrides, get_preset
from tfface.export.writer import export_system
from tfface.networks.hourglass_gap_discriminator import build_gap_discriminator
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.systems import registry
from tfface.systems.inpainting_perceptual import attach_perceptual_extractor
from tfface.systems.warp_inpainting import WarpInpaintingSystem, build_networks
from tfface.systems.warp_inpainting.warping import warp_known_pixels
from tfface.training.strategy import make_strategy

SIZE = 64
SYSTEM = "warp_inpainting"


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


def make_system(config, strategy: tf.distribute.Strategy | None = None) -> WarpInpaintingSystem:
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
    """A tiny system after 2 steps with the forward sampler."""
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


def test_tiny_system_trains_every_network_with_finite_losses(trained) -> None:
    system, history = trained["system"], trained["history"]
    assert int(system.step_counter.numpy()) == 2
    for name in (
        "l1_loss",
        "rigidity_loss",
        "adversarial_loss",
        "gap_loss",
        "generator_loss",
        "discriminator_loss",
        "gap_discriminator_loss",
    ):
        assert np.isfinite(history[name][0]) and history[name][0] > 0, name
    assert history["content_loss"] == [0.0] and history["style_loss"] == [0.0]  # tiny: off
    for name in system.network_names:
        moved = max(
            np.abs(a - b).max()
            for a, b in zip(
                trained["initial"][name], values(system.variables_of(name)), strict=True
            )
        )
        assert moved > 0, name
    for group in ("generator", "discriminator", "gap_discriminator"):
        assert int(getattr(system, f"optimizer_{group}").iterations.numpy()) == 2


def test_forward_pass_shapes_and_mixture(trained, batch) -> None:
    system = trained["system"]
    fields = trained["config"].model.warp_fields
    outputs = system.forward(batch["image"], batch["hole_mask"])
    assert outputs["flows"].shape == (4, fields, SIZE, SIZE, 2)
    assert outputs["candidates"].shape == (4, fields + 1, SIZE, SIZE, 3)
    weights = outputs["weights"].numpy()
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    masked = outputs["masked"].numpy()
    holes = batch["hole_mask"].numpy()
    assert np.all(masked[np.broadcast_to(holes, masked.shape) == 1] == 0)  # x = y * m
    np.testing.assert_array_equal(outputs["known"].numpy(), 1.0 - holes)  # m = 1 - hole
    candidates = outputs["candidates"].numpy()
    np.testing.assert_array_equal(candidates[:, 0], masked)  # W = [x, w_1, ..., w_K]
    # w_k: the known pixels moved by field k, then hole-filled (tested in ..._warping.py)
    warped = warp_known_pixels(outputs["masked"], outputs["known"], outputs["flows"], "forward")
    np.testing.assert_allclose(candidates[:, 1:], warped.numpy(), atol=1e-6)
    mixed = np.einsum("bkhwc,bhwk->bhwc", candidates, weights)  # F = sum_k M_k W_k
    np.testing.assert_allclose(outputs["image"].numpy(), mixed, atol=1e-5)
    inpainted = system({"image": batch["image"], "hole_mask": batch["hole_mask"]}).numpy()
    known = np.broadcast_to(holes, inpainted.shape) == 0
    np.testing.assert_array_equal(inpainted[known], batch["image"].numpy()[known])


def test_forward_and_backward_samplers_both_run_and_differ(trained, batch, data_dir) -> None:
    system = trained["system"]
    forward = system.forward(batch["image"], batch["hole_mask"], sampler="forward")["image"]
    backward = system.forward(batch["image"], batch["hole_mask"], sampler="backward")["image"]
    assert np.all(np.isfinite(backward.numpy()))
    assert np.abs(forward.numpy() - backward.numpy()).max() > 1e-4
    config = tiny_config(data_dir, "model.sampler=backward")
    backward_system = make_system(config)
    logs = backward_system.train_step(batch)  # eagerly: every update with backward warping
    assert all(np.isfinite(float(value)) for value in logs.values())
    with pytest.raises(ValueError, match="sampler must be 'forward' or 'backward'"):
        system.forward(batch["image"], batch["hole_mask"], sampler="sideways")


@pytest.mark.isolated
def test_two_replicas_make_the_update_of_one_device(data_dir) -> None:
    """Every loss of Eq. 3.13 (VGG16 with random weights): 2 replicas == 1 device.

    Plain SGD, as in the mask_guided test: the check is about the reduction arithmetic
    (Adam's first steps turn summation-order rounding of near-zero gradients into O(lr)).
    """
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
                optimizers={
                    name: keras.optimizers.SGD(1e-2)
                    for name in ("generator", "discriminator", "gap_discriminator")
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
    mirrored_weights = values(mirrored.variables_of(*names))
    for before, a, b in zip(initial, single_weights, mirrored_weights, strict=True):
        # The updates agree to 2 % of the variable's largest update: float32 sums in another
        # order differ by up to ~3e-5 here (style weight 5e4), a lost or doubled replica
        # gradient by about the update itself.
        scale = np.abs(a - before).max()
        np.testing.assert_allclose(b - before, a - before, atol=2e-2 * scale + 1e-7)
    moved = max(np.abs(a - b).max() for a, b in zip(initial, single_weights, strict=True))
    assert moved > 1e-4


def test_checkpoint_round_trip(trained, batch, tmp_path) -> None:
    system, config = trained["system"], trained["config"]
    path = system.checkpoint().save(str(tmp_path / "checkpoint"))
    restored = make_system(config)
    restored.checkpoint().restore(path).assert_existing_objects_matched()
    assert int(restored.step_counter.numpy()) == 2
    assert int(restored.optimizer_gap_discriminator.iterations.numpy()) == 2
    names = system.network_names
    for a, b in zip(
        values(system.variables_of(*names)), values(restored.variables_of(*names)), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    inputs = {"image": batch["image"], "hole_mask": batch["hole_mask"]}
    np.testing.assert_allclose(system(inputs).numpy(), restored(inputs).numpy(), atol=1e-6)


def test_export_round_trip_and_in_graph_checks(trained, batch, tmp_path) -> None:
    system = trained["system"]
    result = export_system(system, SYSTEM, tmp_path / "models", "warp")
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
    assert served["image"].dtype == tf.uint8 and served["image"].shape == (4, SIZE, SIZE, 3)
    assert np.abs(served["image"].numpy().astype(np.int32) - expected).max() <= 1
    unit = loaded.signatures["inpaint_unit_mask"](image=images, hole_mask=holes)
    np.testing.assert_array_equal(unit["image"].numpy(), served["image"].numpy())
    bad_values = tf.cast(holes * 128, tf.uint8)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="input hole_mask must hold only the values 0, 255"
    ):
        loaded.signatures["inpaint"](image=images, hole_mask=bad_values)
    wrong_channels = tf.zeros([4, SIZE, SIZE, 3], tf.uint8)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"input hole_mask must be uint8 \(batch, 64, 64, 1\)"
    ):
        loaded.signatures["inpaint"](image=images, hole_mask=wrong_channels)
    small = {"image": images[:, :32, :32], "hole_mask": tf.zeros([4, 32, 32, 1], tf.uint8)}
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"input image must be uint8 \(batch, 64, 64, 3\)"
    ):
        loaded.signatures["inpaint"](**small)


def test_inpaint_api_rejects_bad_input(trained, batch) -> None:
    system = trained["system"]
    images, holes = batch["image"].numpy(), batch["hole_mask"].numpy()
    assert system.inpaint(images[0], holes[0, ..., 0]).shape == (1, SIZE, SIZE, 3)
    assert system.inpaint(images[:2], (holes[:2] * 255).astype(np.uint8)).shape[0] == 2
    assert system.inpaint(images[:3], holes[0] > 0).shape[0] == 3  # one mask for three images
    with pytest.raises(ValueError, match="32x32 but the model works on 64x64"):
        system.inpaint(images[:, :32, :32], holes[:, :32, :32])
    with pytest.raises(ValueError, match="hole_masks are 32x32"):
        system.inpaint(images, holes[:, :32, :32])
    with pytest.raises(ValueError, match="need 1 channel"):
        system.inpaint(images, np.repeat(holes, 3, axis=-1))
    with pytest.raises(ValueError, match=r"hold 0 \(known\) and 1 \(hole\) only"):
        system.inpaint(images, holes * 0.5)
    with pytest.raises(ValueError, match=r"0 / 255"):
        system.inpaint(images, holes.astype(np.uint8))  # uint8 masks hold 0 / 255
    with pytest.raises(ValueError, match="marks every pixel as a hole"):
        system.inpaint(images[:1], np.ones((SIZE, SIZE), bool))
    with pytest.raises(ValueError, match="float images"):
        system.inpaint((images * 127.5 + 127.5).astype(np.uint8), holes)
    with pytest.raises(ValueError, match="has 3 examples but hole_masks has 2"):
        system.inpaint(images[:3], holes[:2])
    with pytest.raises(ValueError, match=r"hole_mask must have shape \(B, 64, 64, 1\)"):
        system({"image": batch["image"], "hole_mask": tf.zeros([4, SIZE, SIZE, 2])})
    with pytest.raises(ValueError, match="uint8 masks hold 0 / 255"):  # call takes {0, 1}
        system({"image": batch["image"], "hole_mask": tf.cast(batch["hole_mask"] * 255, tf.uint8)})
    with pytest.raises(ValueError, match="image must be float32"):
        system({"image": tf.zeros([4, SIZE, SIZE, 3], tf.uint8), "hole_mask": batch["hole_mask"]})


def test_paper_networks_match_the_thesis_parameter_counts() -> None:
    """Sec. 4.2.3: f_omega 981,140, p_eta 15,584,523, d_psi 2,783,797, h_xi 869,025 parameters."""
    registry.get(SYSTEM)
    model = get_preset(SYSTEM, "paper").resolved_model()
    assert (model.warp_fields, model.l1_weight, model.style_weight, model.gap_weight) == (
        10,
        10.0,
        5e4,
        1e-5,
    )
    # Fully convolutional networks: the counts do not depend on the image size.
    networks = build_networks(dataclasses.replace(model, image_size=16), seed=0)
    assert networks["warp_regressor"].count_params() == pytest.approx(981_140, rel=0.01)
    assert networks["merger"].count_params() == pytest.approx(15_584_523, rel=0.01)
    assert networks["patch_discriminator"].count_params() == pytest.approx(2_783_797, rel=0.01)
    assert networks["gap_discriminator"].count_params() == pytest.approx(869_025, rel=0.05)
    assert build_gap_discriminator(16).output.shape == (None, 16, 16, 1)
    with pytest.raises(ValueError, match="need the same, non-zero length"):
        build_spectral_patch_discriminator(16, filters=(8, 16), strides=(2,))
    with pytest.raises(ConfigError, match="model.patch_norm must be one of"):
        dataclasses.replace(model, patch_norm="group")
