"""deocclusion: its masks, losses and Table 5.1 measures against NumPy/SciPy, its data, the
deocclude and segment_face paths, N_G's inputs from the networks, staged training, N_R from a
face_reconstruction checkpoint, and its refusals.

Training, checkpoints, the two-replica update and the export are the contract's
(tests/systems/test_system_contract.py); the learning check is test_deocclusion_learning.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage
from system_kit import OCCLUSIONS, Case, make_system, tiny_config

from tfface.config import ConfigError
from tfface.data.reader import make_dataset
from tfface.systems import registry
from tfface.systems.deocclusion.data import deocclusion_batches
from tfface.systems.deocclusion.evaluation import (
    EVALUATION_FEATURES,
    evaluate_methods,
    inpainter_method,
    nearest_fill_method,
    occluded_input,
    table_markdown,
)
from tfface.systems.deocclusion.losses import precision_and_iou, segmentation_loss
from tfface.systems.deocclusion.masks import (
    erode,
    noise_filled,
    occlusion_mask,
    pseudo_target,
    visible_face,
)
from tfface.systems.deocclusion.system import restore_reconstructor


@pytest.fixture(scope="module")
def occlusions_dir(synthfaces_data) -> str:
    return synthfaces_data(OCCLUSIONS)


@pytest.fixture(scope="module")
def trained(trained_case) -> dict:
    """The contract's trained tiny system (shared within the session)."""
    return trained_case(Case("deocclusion", OCCLUSIONS))


def random_masks(seed: int, shape=(2, 16, 16, 1)) -> np.ndarray:
    return (np.random.default_rng(seed).random(shape) > 0.4).astype(np.float32)


def test_masks_follow_eqs_5_1_and_5_2() -> None:
    face, occluder, render = random_masks(0), random_masks(1), random_masks(2)
    visible = visible_face(face, occluder).numpy()
    np.testing.assert_array_equal(visible, np.logical_and(face > 0, occluder == 0))
    occluded = occlusion_mask(render, visible).numpy()
    np.testing.assert_array_equal(occluded, np.logical_and(render > 0, visible == 0))
    image = np.random.default_rng(3).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    noise = np.full_like(image, 3.0)
    noisy = noise_filled(image, occluded, noise).numpy()
    np.testing.assert_array_equal(noisy, np.where(occluded > 0, 1.0, image))


@pytest.mark.parametrize("pixels", [0, 1, 2])
def test_erosion_is_scipys_binary_erosion_with_a_set_border(pixels) -> None:
    masks = random_masks(4, (2, 12, 12, 1))
    masks[:, 2:10, 2:10] = 1.0
    eroded = erode(tf.constant(masks), pixels).numpy()
    structure = np.ones((2 * pixels + 1,) * 2, bool)
    for index in range(2):
        expected = (
            masks[index, ..., 0] > 0
            if pixels == 0
            else ndimage.binary_erosion(masks[index, ..., 0] > 0, structure, border_value=1)
        )
        np.testing.assert_array_equal(eroded[index, ..., 0] > 0, expected)
    with pytest.raises(ValueError, match="erosion"):
        erode(tf.constant(masks), -1)


def laplacian(image: np.ndarray) -> np.ndarray:
    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)), mode="edge")
    return 4 * image - padded[:-2, 1:-1] - padded[2:, 1:-1] - padded[1:-1, :-2] - padded[1:-1, 2:]


def test_the_pseudo_target_keeps_the_clean_gradients_on_the_face_and_the_render_around() -> None:
    rng = np.random.default_rng(5)
    clean = rng.uniform(-0.5, 0.5, (1, 20, 20, 3)).astype(np.float32)
    render = rng.uniform(-0.5, 0.5, (1, 20, 20, 3)).astype(np.float32)
    render_mask = np.zeros((1, 20, 20, 1), np.float32)
    render_mask[:, 2:18, 2:18] = 1.0
    face = np.zeros_like(render_mask)
    face[:, 4:16, 5:15] = 1.0
    target = pseudo_target(clean, render, face, render_mask, iterations=2000).numpy()[0]
    region = np.zeros((20, 20), bool)
    region[5:15, 6:14] = True  # the face x render eroded by one pixel
    interior = ndimage.binary_erosion(region)  # Laplacians there only see region pixels
    np.testing.assert_allclose(
        laplacian(target)[interior], laplacian(clean[0])[interior], atol=2e-4
    )
    in_render = (render_mask[0, ..., 0] > 0) & ~region
    np.testing.assert_allclose(target[in_render], render[0][in_render], atol=1e-6)
    outside = render_mask[0, ..., 0] == 0
    np.testing.assert_allclose(target[outside], clean[0][outside], atol=1e-6)


def test_segmentation_loss_is_dice_plus_ohem_bce() -> None:
    rng = np.random.default_rng(6)
    visible = (rng.random((2, 8, 8, 1)) > 0.5).astype(np.float32)
    logits = rng.normal(size=(2, 8, 8, 1)).astype(np.float32)
    dice, bce = segmentation_loss(visible, logits, 2.0, 3.0, 0.25)
    probability = 1 / (1 + np.exp(-logits))
    overlap = np.sum(visible * probability, axis=(1, 2, 3))
    total = np.sum(visible, axis=(1, 2, 3)) + np.sum(probability, axis=(1, 2, 3))
    np.testing.assert_allclose(dice, 2.0 * (1 - 2 * overlap / total), rtol=1e-5)
    per_pixel = -(visible * np.log(probability) + (1 - visible) * np.log(1 - probability))
    hardest = np.sort(per_pixel.reshape(2, -1), axis=1)[:, ::-1][:, :16]  # 25 % of 64
    np.testing.assert_allclose(bce, 3.0 * hardest.mean(axis=1), rtol=1e-5)


def test_precision_and_iou_count_face_pixels() -> None:
    visible = np.zeros((2, 4, 4, 1), np.float32)
    visible[0, :2] = 1.0  # 8 face pixels
    probability = np.zeros_like(visible)
    probability[0, 1:3] = 0.9  # 8 predicted, 4 of them right
    precision, iou = precision_and_iou(visible, probability, 0.5)
    np.testing.assert_allclose(precision, [0.5, 1.0])  # nothing and nothing: 1
    np.testing.assert_allclose(iou, [4 / 12, 1.0])


def test_the_data_hold_the_ground_truth_and_a_reproducible_noise(occlusions_dir) -> None:
    overrides = ("train.batch_size=12", "model.generator_inputs=networks")  # no renders
    config = tiny_config("deocclusion", occlusions_dir, *overrides)
    first = next(iter(deocclusion_batches(config, occlusions_dir)))
    again = next(iter(deocclusion_batches(config, occlusions_dir)))
    assert first["image"].shape == (12, 64, 64, 3) and first["coefficients"].shape[0] == 12
    np.testing.assert_array_equal(first["noise"], again["noise"])
    assert 0.8 < float(tf.math.reduce_std(first["noise"])) < 1.2
    occluded = tf.reduce_sum(first["occlusion_mask"], axis=[1, 2, 3]) > 0
    assert 0 < int(tf.reduce_sum(tf.cast(occluded, tf.int32))) < 12  # bare and occluded faces
    changed = tf.reduce_any(first["image"] != first["image_unoccluded"], axis=[1, 2, 3])
    np.testing.assert_array_equal(changed, occluded)


def test_the_cached_renders_are_the_systems_renders_of_the_records(trained) -> None:
    """generator_inputs="data": I_m, M_m and I_p come with the batch (rendered once per
    record) and equal what the system computes from the batch's coefficients."""
    system = trained["system"]
    batch = next(iter(trained["batches"]))
    render, render_mask = system.render(batch["coefficients"])
    np.testing.assert_allclose(batch["render"], render, atol=1e-5)
    np.testing.assert_array_equal(batch["render_mask"], render_mask)
    pseudo = pseudo_target(batch["image_unoccluded"], render, batch["face_mask"], render_mask, 60)
    np.testing.assert_allclose(batch["pseudo_target"], pseudo, atol=1e-4)
    inputs = system.generator_inputs(batch)
    np.testing.assert_array_equal(inputs["pseudo_target"], batch["pseudo_target"])
    bare = {key: value for key, value in batch.items() if key not in inputs}
    computed = system.generator_inputs(bare)
    np.testing.assert_allclose(computed["render"], batch["render"], atol=1e-5)
    assert "pseudo_target" not in computed
    losses = system.held_out_losses(batch)
    recomputed = system.held_out_losses(bare)
    np.testing.assert_allclose(recomputed["ssim_loss"], losses["ssim_loss"], atol=1e-4)


def test_a_missing_morphable_model_is_refused_with_the_fix(occlusions_dir) -> None:
    config = tiny_config("deocclusion", occlusions_dir, "model.morphable_model=/none/model.npz")
    with pytest.raises(FileNotFoundError, match="--coefficients"):
        deocclusion_batches(config, occlusions_dir)
    with pytest.raises(FileNotFoundError, match="--coefficients"):
        make_system(config)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("data.image_size=48", "multiple of 32"),
        ("model.segmenter_encoder_widths=[8,16,32]", "4 entries"),
        ("model.generator_inputs=exact", "generator_inputs"),
        ("model.hard_fraction=0", "hard_fraction"),
    ],
)
def test_bad_configs_are_refused(occlusions_dir, override, message) -> None:
    with pytest.raises((ConfigError, ValueError), match=message):
        tiny_config("deocclusion", occlusions_dir, override).resolved_model()


def test_deocclude_follows_fig_5_2(trained, occlusions_dir) -> None:
    system = trained["system"]
    images = next(iter(trained["batches"]))["image"]
    outputs = system.deocclude(images)
    face, occluded = outputs["face_mask"], outputs["occlusion_mask"]
    for mask in (face, occluded, outputs["render_mask"]):
        assert mask.shape == (images.shape[0], 64, 64, 1)
        assert set(np.unique(mask.numpy())) <= {0.0, 1.0}
    np.testing.assert_array_equal(occluded, outputs["render_mask"] * (1.0 - face))
    probability = system.segment_face(images)
    np.testing.assert_array_equal(face, tf.cast(probability > 0.5, tf.float32))
    np.testing.assert_array_equal(system.deocclude(images)["image"], outputs["image"])
    alone = system.deocclude(images[1:2])["image"]  # the same noise in any batch
    np.testing.assert_allclose(alone, outputs["image"][1:2], atol=1e-4)
    np.testing.assert_array_equal(system(images), outputs["image"])
    assert float(tf.reduce_max(tf.abs(outputs["image"]))) <= 1.0


def test_the_generator_can_learn_from_the_frozen_networks_after_a_first_stage(
    trained, occlusions_dir
) -> None:
    config = tiny_config(
        "deocclusion",
        occlusions_dir,
        "model.generator_inputs=networks",
        "model.generator_start_step=5",
    )
    system = registry.build("deocclusion", config)
    assert [update.optimizer for update in system.updates_at(4)] == ["segmenter", "reconstructor"]
    assert [update.optimizer for update in system.updates_at(5)] == [
        "segmenter",
        "reconstructor",
        "generator",
        "discriminator",
    ]
    assert [phase.name for phase in system.phases(config)] == [
        "segmentation and reconstruction",
        "de-occlusion GAN",
    ]
    batch = next(iter(trained["batches"]))
    inputs = system.generator_inputs(batch)
    face = tf.cast(system.segment_face(batch["image"]) > 0.5, tf.float32)
    np.testing.assert_array_equal(inputs["face"], face)
    render, render_mask = system.render(system.reconstructor(batch["image"]))
    np.testing.assert_allclose(inputs["render"], render, atol=1e-5)
    losses = system.held_out_losses(batch)
    assert set(losses) == set(system.LOSS_NAMES)
    assert all(np.all(np.isfinite(value)) for value in losses.values())


def test_the_reconstructor_starts_from_a_face_reconstruction_checkpoint(
    occlusions_dir, tmp_path
) -> None:
    fitting = tiny_config("face_reconstruction", occlusions_dir)
    regressor_system = make_system(fitting)
    for weight in regressor_system.regressor.trainable_weights:
        weight.assign(tf.random.normal(weight.shape, seed=1))
    path = regressor_system.checkpoint().save(str(tmp_path / "fit" / "checkpoint"))
    config = tiny_config(
        "deocclusion", occlusions_dir, f"model.reconstruction_checkpoint={tmp_path / 'fit'}"
    )
    system = make_system(config)
    for ours, theirs in zip(
        system.reconstructor.weights, regressor_system.regressor.weights, strict=True
    ):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(FileNotFoundError, match="tfface train face_reconstruction"):
        restore_reconstructor(system.reconstructor, str(tmp_path / "nowhere"))
    other = make_system(
        tiny_config("deocclusion", occlusions_dir, "model.reconstructor_filters=[8]")
    )
    with pytest.raises(ValueError, match="does not fit N_R"):
        restore_reconstructor(other.reconstructor, path)


def test_table_5_1_measures_the_occluded_region_per_occluder(occlusions_dir) -> None:
    batch = next(
        iter(
            make_dataset(
                f"{occlusions_dir}/train-*.tfrecord",
                features=EVALUATION_FEATURES,
                batch_size=24,
                image_size=64,
                shuffle=False,
            )
        )
    )

    kept = tf.reduce_sum(batch["occlusion_mask"] * batch["face_mask"], axis=[1, 2, 3]) > 0
    clean = tf.boolean_mask(batch["image_unoccluded"], kept)

    def off_by_a_tenth(images, region):  # 0.1 off everywhere: 0.05 in [0, 1] units
        return tf.where(clean >= 0, clean - 0.1, clean + 0.1)

    table = evaluate_methods(
        {
            "occluded_input": occluded_input,
            "nearest_fill": nearest_fill_method,
            "off": off_by_a_tenth,
        },
        [batch],
        embedding=lambda images: tf.reshape(images, (images.shape[0], -1)),
    )
    assert set(table) == {"sunglasses", "medical_mask", "all"}
    assert table["all"]["off"]["examples"] == sum(
        table[kind]["off"]["examples"] for kind in ("sunglasses", "medical_mask")
    )
    np.testing.assert_allclose(table["all"]["off"]["l1"], 0.05, rtol=1e-4)
    np.testing.assert_allclose(table["all"]["off"]["psnr"], 10 * np.log10(1 / 0.0025), rtol=1e-4)
    assert table["all"]["occluded_input"]["psnr"] < table["all"]["nearest_fill"]["psnr"]
    assert table["all"]["off"]["identity"] > 0.9
    assert "| sunglasses | nearest_fill |" in table_markdown(table)
    bare = {key: value[:0] for key, value in batch.items()}
    with pytest.raises(ValueError, match="no occluded example"):
        evaluate_methods({"input": occluded_input}, [bare])
    with pytest.raises(ValueError, match="at least one method"):
        evaluate_methods({}, [batch])


def test_an_inpainting_system_is_given_the_true_region(occlusions_dir) -> None:
    inpainter = make_system(tiny_config("gated_inpainting", occlusions_dir))
    calls = []

    def watched(inputs):
        calls.append(inputs["hole_mask"])
        return inpainter(inputs)

    region = tf.ones((1, 64, 64, 1))
    output = inpainter_method(watched)(tf.zeros((1, 64, 64, 3)), region)
    assert output.shape == (1, 64, 64, 3)
    np.testing.assert_array_equal(calls[0], region)
