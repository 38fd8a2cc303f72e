"""uv_completion: UV-space targets and crops against NumPy, its losses, the novel-view draw,
the data recipe, render_pose / the export signatures and the refusals.

Training, checkpoints, the two-replica update and the export round trip are the contract's
(tests/systems/test_system_contract.py); the learning check is
test_uv_completion_learning.py.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage
from system_kit import FACES, UV_FACES, Case, tiny_config

from tfface.cli.predict import choose_signature
from tfface.config import ConfigError, get_preset
from tfface.systems import registry
from tfface.systems.uv_completion.data import add_uv_targets, uv_batches
from tfface.systems.uv_completion.layout import crop_windows, partial_crops
from tfface.systems.uv_completion.losses import flagged_discriminator_loss, symmetry_loss
from tfface.systems.uv_completion.system import novel_yaws
from tfface.systems.uv_completion.uv_targets import (
    erode,
    pseudo_complete_uv,
    rasterize_uv,
)

CASE = Case("uv_completion", UV_FACES, ("model.sampler_steps=1",), steps=3)
"""The contract's case (tests/helpers/system_cases.py): its trained system is shared."""


@pytest.fixture(scope="module")
def trained(trained_case) -> dict:
    return trained_case(CASE)


def test_rasterize_uv_interpolates_linear_attributes_exactly() -> None:
    """A vertex attribute equal to (u, v) is painted as texel (column, row) / (U - 1)."""
    size = 16
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 5), np.linspace(0, 1, 5)), -1).reshape(-1, 2)
    triangles = []
    for row in range(4):
        for column in range(4):
            a, b, c, d = (
                row * 5 + column,
                row * 5 + column + 1,
                row * 5 + column + 5,
                row * 5 + column + 6,
            )
            triangles += [(a, b, c), (b, d, c)]
    values, covered = rasterize_uv(grid[None].astype(np.float32), np.array(triangles), grid, size)
    rows, columns = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    expected = np.stack([columns, rows], -1) / (size - 1.0)
    inside = covered.numpy()[0, ..., 0] > 0
    assert inside.mean() > 0.85
    np.testing.assert_allclose(values.numpy()[0][inside], expected[inside], atol=1e-5)


def test_erode_matches_scipy() -> None:
    mask = np.zeros((1, 12, 12, 1), np.float32)
    mask[0, 2:10, 3:11] = 1.0
    mask[0, 5, 5] = 0.0
    eroded = erode(mask, 2).numpy()[0, ..., 0]
    expected = ndimage.binary_erosion(mask[0, ..., 0] > 0, np.ones((3, 3)), iterations=2)
    np.testing.assert_array_equal(eroded > 0.5, expected)
    with pytest.raises(ValueError, match="erosion"):
        erode(mask, -1)


def test_pseudo_complete_uv_keeps_gradients_and_takes_the_mirror() -> None:
    """Pass 1 of a texture offset by a constant gives UV_gt + constant inside the eroded
    region (the Poisson solution is unique); pass 2 fills mirrored texels."""
    rng = np.random.default_rng(0)
    size = 12
    uv_gt = rng.uniform(-0.5, 0.5, (size, size, 3))
    valid = np.zeros((size, size), bool)
    valid[2:10, 1:5] = True
    uv_bfm = uv_gt + 0.2
    blended = pseudo_complete_uv(uv_gt * valid[..., None], valid, uv_bfm)
    inner = ndimage.binary_erosion(valid, iterations=1)
    np.testing.assert_allclose(blended[inner], uv_gt[inner] + 0.2, atol=1e-5)
    mirrored = ~valid & valid[:, ::-1]
    assert mirrored.any()
    untouched = ~valid & ~mirrored
    np.testing.assert_allclose(blended[untouched], np.clip(uv_bfm[untouched], -1, 1), atol=1e-6)


def test_partial_crops_mirror_the_right_side() -> None:
    model = get_preset("uv_completion", "tiny").resolved_model()
    rng = np.random.default_rng(1)
    half = rng.uniform(-1, 1, (2, 64, 32, 3)).astype(np.float32)
    symmetric = np.concatenate([half, half[:, :, ::-1]], axis=2)
    crops = partial_crops(tf.constant(symmetric), model)
    np.testing.assert_array_equal(crops["left"].numpy(), crops["right"].numpy())
    (rows, columns) = crop_windows(model)["centre"]
    assert crops["centre"].shape == (2, rows[1] - rows[0], columns[1] - columns[0], 3)


def test_losses_against_numpy() -> None:
    rng = np.random.default_rng(2)
    uv = rng.uniform(-1, 1, (3, 8, 8, 3)).astype(np.float32)
    expected = np.abs(uv - uv[:, :, ::-1]).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(symmetry_loss(uv).numpy(), expected, rtol=1e-5)
    real, fake = rng.normal(size=(3, 2, 2, 1)), rng.normal(size=(3, 2, 2, 1))
    flags = tf.constant([1.0, 0.0, 1.0])
    loss = flagged_discriminator_loss(tf.constant(real), tf.constant(fake), flags, "non_saturating")
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731
    reference = softplus(-real).mean(axis=(1, 2, 3)) + softplus(fake).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(loss.numpy(), reference * np.array([1, 0, 1]), rtol=1e-5)


def test_novel_yaws_are_per_example_and_bounded() -> None:
    """The draw of an example does not depend on the rest of the batch (replica split)."""
    coefficients = tf.random.stateless_normal([6, 20], seed=[1, 2])
    yaws = novel_yaws(coefficients, tf.constant(3, tf.int64), 60.0).numpy()
    halves = np.concatenate(
        [
            novel_yaws(coefficients[:3], tf.constant(3, tf.int64), 60.0).numpy(),
            novel_yaws(coefficients[3:], tf.constant(3, tf.int64), 60.0).numpy(),
        ]
    )
    np.testing.assert_array_equal(yaws, halves)
    assert np.all(np.abs(yaws) <= np.radians(60.0)) and np.std(yaws) > 0.1


def test_data_recipe_targets_and_real_crops(synthfaces_data) -> None:
    uv_dir = synthfaces_data(UV_FACES)
    config = tiny_config("uv_completion", uv_dir)
    batch = next(iter(uv_batches(config, uv_dir)))
    uv = config.model.uv_size
    assert batch["uv_gt"].shape[1:] == (uv, uv, 3)
    assert batch["sampling_map"].shape[1:] == (uv, uv, 2)
    # UV_gt is 0 off the valid texels and the stored UV_bl agrees with it inside them
    off = (1.0 - batch["uv_valid"]) * tf.abs(batch["uv_gt"])
    assert float(tf.reduce_max(off)) == 0.0
    inner = batch["uv_valid"].numpy()[..., 0] > 0
    inner = np.stack([ndimage.binary_erosion(mask, iterations=2) for mask in inner])
    gap = np.abs(batch["uv_blend"].numpy() - batch["uv_gt"].numpy())[inner]
    assert np.median(gap) < 0.1
    yaw = np.abs(batch["pose"].numpy()[:, 0])
    assert np.all(batch["centre_flag"].numpy()[yaw >= config.model.frontal_yaw] == 0)
    assert np.all(batch["side_flag"].numpy()[yaw <= config.model.profile_yaw] == 0)


def test_data_recipe_refuses_records_without_uv_targets(synthfaces_data) -> None:
    faces = synthfaces_data(FACES)
    config = tiny_config("uv_completion", faces, f"model.morphable_model={__file__}")
    with pytest.raises((ValueError, OSError)):
        uv_batches(config, faces)


def test_config_checks() -> None:
    model = get_preset("uv_completion", "tiny").model
    with pytest.raises(ConfigError, match="face_rows"):
        dataclasses.replace(model, face_rows=(0.7, 0.3))
    with pytest.raises(ConfigError, match="uv_size"):
        dataclasses.replace(model, uv_size=40)
    with pytest.raises(ConfigError, match="side_start"):
        dataclasses.replace(model, side_start=0.6)
    for preset in ("no_sampler", "no_partial_discriminators", "no_symmetry"):
        assert get_preset("uv_completion", preset).preset == preset
    # The no-sampler ablation never uses the sampler: no pre-training stage to spend steps on.
    from tfface.systems.uv_completion.system import UvCompletionSystem

    ablation = get_preset("uv_completion", "no_sampler")
    assert [phase.name for phase in UvCompletionSystem.phases(ablation)] == ["generator training"]
    assert [phase.first_step for phase in UvCompletionSystem.phases(ablation)] == [0]


def test_outputs_render_pose_and_signatures(trained) -> None:
    system = trained["system"]
    batch = next(iter(trained["batches"]))
    outputs = system(batch["image"])
    size, uv = system.image_size, system.uv_size
    assert outputs["uv_texture"].shape[1:] == (uv, uv, 3)
    assert outputs["mask"].shape[1:] == (size, size, 1)
    yaw = tf.fill([batch["image"].shape[0]], 40.0)
    posed = system.render_pose(batch["image"], yaw, tf.zeros_like(yaw))
    assert posed["image"].shape == batch["image"].shape
    assert float(tf.reduce_min(posed["image"])) >= -1.0 - 1e-6
    signatures = system.EXPORTS(system)
    assert set(signatures) == {"serving_default", "render_pose"}
    arguments = argparse.Namespace(signature=None, target_yaw=30.0)
    assert choose_signature(arguments, signatures) == "render_pose"


def test_render_pose_needs_the_coefficient_head(trained, synthfaces_data) -> None:
    uv_dir = synthfaces_data(UV_FACES)
    config = tiny_config("uv_completion", uv_dir, "model.coefficient_head=false")
    system = registry.build("uv_completion", config)
    assert set(system.EXPORTS(system)) == {"serving_default"}
    with pytest.raises(ValueError, match="coefficient head"):
        system.render_pose(tf.zeros([1, 64, 64, 3]), tf.zeros([1]), tf.zeros([1]))


def test_add_uv_targets_is_deterministic(synthfaces_data) -> None:
    uv_dir = synthfaces_data(UV_FACES)
    config = tiny_config("uv_completion", uv_dir)
    batch = next(iter(uv_batches(config, uv_dir)))
    raw = {
        key: batch[key]
        for key in ("image", "face_mask", "visibility", "uv_coords", "pose", "uv_blend")
    }
    again = add_uv_targets(raw, config.resolved_model())
    np.testing.assert_array_equal(again["uv_gt"].numpy(), batch["uv_gt"].numpy())


class ConstantFit(tf.Module):
    """A stand-in for a face_reconstruction export: every image gets the same fit."""

    def __init__(self, model_path: str, coefficients: np.ndarray, size: int) -> None:
        super().__init__()
        from tfface.face3d import FaceRenderer, load_morphable_model

        render = FaceRenderer(load_morphable_model(model_path))(coefficients[None], size)
        self.coefficients = tf.constant(coefficients[None], tf.float32)
        self.uv_coords, self.render_mask = render.uv_coords, render.mask
        self.serve = tf.function(
            self.answer, input_signature=[tf.TensorSpec([None, size, size, 3], tf.uint8)]
        )

    def answer(self, image: tf.Tensor) -> dict[str, tf.Tensor]:
        count = tf.shape(image)[0]
        return {
            "coefficients": tf.tile(self.coefficients, [count, 1]),
            "uv_coords": tf.tile(self.uv_coords, [count, 1, 1, 1]),
            "render_mask": tf.tile(self.render_mask, [count, 1, 1, 1]),
        }


def test_uv_fits_job_makes_trainable_records_from_photos(synthfaces_data, tmp_path) -> None:
    """The real-data path: photos + a reconstruction export -> records the recipe reads."""
    from PIL import Image

    from pipelines import uv_fits
    from tfface.data.reader import make_dataset

    source = synthfaces_data(UV_FACES)
    records = make_dataset(
        f"{source}/train-*.tfrecord", ("image", "coefficients"), batch_size=2, shuffle=False
    )
    first = next(iter(records))
    photos = tmp_path / "photos"
    photos.mkdir()
    for index, image in enumerate(first["image"].numpy()):
        Image.fromarray(np.round((image + 1.0) * 127.5).astype(np.uint8)).save(
            photos / f"face{index}.png"
        )
    model_path = f"{source}/morphable_model.npz"
    fit = ConstantFit(model_path, first["coefficients"].numpy()[0], 64)
    tf.saved_model.save(fit, str(tmp_path / "fit"), signatures={"serving_default": fit.serve})
    output = tmp_path / "records"
    arguments = ["--input", str(photos), "--reconstruction", str(tmp_path / "fit")]
    arguments += ["--morphable-model", model_path, "--output", str(output), "--size", "64"]
    arguments += ["--uv-size", "64", "--splits", "train=1,validation=0,test=0"]
    uv_fits.main(arguments)
    config = tiny_config("uv_completion", str(output), "train.batch_size=2")
    batch = next(iter(uv_batches(config, str(output))))
    np.testing.assert_allclose(
        batch["coefficients"].numpy(), np.repeat(first["coefficients"].numpy()[:1], 2, 0)
    )
    assert batch["uv_blend"].shape == (2, 64, 64, 3)
    assert float(tf.reduce_mean(batch["uv_valid"])) > 0.05
    with pytest.raises(SystemExit):
        uv_fits.main([*arguments[:2], "--reconstruction", str(tmp_path / "missing")])
