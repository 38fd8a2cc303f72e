"""pix2pix (issue #23 item 1): presets with the paper's numbers, refusals, the rgb <-> painting
pairs in both directions, the objectives (Isola et al. Eq. 4; D halved, Liu 2019 l.412)
against NumPy in each adversarial form, and the D step that leaves G alone.

Training, checkpoints, the two-replica update and the export are the contract's
(tests/systems/test_system_contract.py); serving is test_translation_serving.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from system_kit import PAINTING_PAIRS, tiny_config

from tfface.config import ConfigError, apply_overrides, get_preset
from tfface.systems import registry
from tfface.systems.translation_data import oriented

painting_pairs = pytest.fixture(scope="module", name="painting_pairs")(
    lambda synthfaces_data: synthfaces_data(PAINTING_PAIRS)
)
"""The folder of the PAINTING_PAIRS SynthFaces records (rgb -> painting)."""


def first_batch(data_dir: str, *overrides: str) -> dict:
    config = tiny_config("pix2pix", data_dir, "data.shuffle_buffer=0", *overrides)
    return next(iter(registry.get("pix2pix").dataset(config, data_dir)))


@pytest.fixture(scope="module")
def batch(painting_pairs) -> dict:
    """{'source': photos, 'target': paintings}, float32 (4, 64, 64, 3) in [-1, 1]."""
    return first_batch(painting_pairs)


def build_tiny(data_dir: str, *overrides: str):
    config = tiny_config("pix2pix", data_dir, "model.dropout_rate=0", *overrides)
    system = registry.build("pix2pix", config)
    registry.compile_system(system, config)
    return system


def softplus(values: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, values)


def patch_mean(values: np.ndarray) -> np.ndarray:
    return values.reshape(values.shape[0], -1).mean(axis=1)


def test_paper_preset_has_the_original_numbers_and_tiny_is_small() -> None:
    paper = get_preset("pix2pix", "paper")
    model = paper.resolved_model()
    assert paper.data.image_size == 256 and model.generator_downsamplings == 8  # 256 -> 1 x 1
    assert (model.l1_weight, model.discriminator_loss_factor) == (100.0, 0.5)
    assert (model.learning_rate, model.beta_1, model.beta_2) == (2e-4, 0.5, 0.999)
    assert (model.generator_filters, model.generator_max_filters) == (64, 512)
    assert (model.discriminator_filters, model.discriminator_layers) == (64, 3)
    assert (model.dropout_rate, model.dropout_layers) == (0.5, 3)
    assert paper.train.batch_size == 1 and model.adversarial_form == "non_saturating"
    adam = registry.get("pix2pix").system_class.optimizer_configs(paper)["generator"]
    assert (adam.decay_steps, adam.decay_start) == (200000, 100000)  # 100 + 100 epochs
    tiny = get_preset("pix2pix", "tiny")
    assert tiny.data.image_size == 64 and tiny.resolved_model().generator_downsamplings == 6


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (("data.image_size=48",), "divisible by 2\\^model.generator_downsamplings"),
        (("model.dropout_layers=6",), "dropout_layers 6 exceeds"),
        (("model.direction=sideways",), "direction"),
        (("model.adversarial_form=wasserstein",), "adversarial_form"),
        (("model.dropout_rate=1.0",), "dropout_rate"),
        (("model.l1_weight=-1",), "l1_weight"),
    ],
)
def test_bad_settings_are_refused(overrides: tuple[str, ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        apply_overrides(get_preset("pix2pix", "tiny"), list(overrides)).resolved_model()


def test_pairs_are_photos_and_paintings_of_the_same_face_in_either_direction(
    painting_pairs, batch
) -> None:
    assert batch["source"].shape == batch["target"].shape == (4, 64, 64, 3)
    reverse = first_batch(painting_pairs, "model.direction=b_to_a")
    np.testing.assert_array_equal(reverse["source"], batch["target"])
    np.testing.assert_array_equal(reverse["target"], batch["source"])
    # different domains, same face: clearly different pixels, the same silhouette
    difference = np.abs(batch["source"].numpy() - batch["target"].numpy()).mean()
    assert difference > 0.05
    background = np.abs(batch["source"].numpy() - batch["source"].numpy()[:, :1, :1]).sum(-1)
    assert background.max() > 0.1
    with pytest.raises(ValueError, match="direction must be one of"):
        oriented({"image": batch["source"], "target_image": batch["target"]}, "up")


@pytest.mark.parametrize("form", ["non_saturating", "least_squares", "hinge"])
def test_objectives_match_numpy(painting_pairs, batch, form: str) -> None:
    system = build_tiny(painting_pairs, f"model.adversarial_form={form}")
    source, target = batch["source"], batch["target"]
    generated = system.generator_objective(batch, {}, training=False)
    discriminated = system.discriminator_objective(batch, {}, training=False)

    fake = system.generator(source, training=False)
    np.testing.assert_allclose(system(source), fake, atol=1e-6)
    on_fake = system.discriminator([fake, source], training=False)[-1].numpy()  # (4, 8, 8, 1)
    fake = fake.numpy()
    on_real = system.discriminator([target, source], training=False)[-1].numpy()
    assert on_fake.shape == (4, 8, 8, 1)
    if form == "non_saturating":
        adversarial = patch_mean(softplus(-on_fake))
        discriminator = patch_mean(softplus(-on_real)) + patch_mean(softplus(on_fake))
    elif form == "least_squares":
        adversarial = patch_mean((on_fake - 1.0) ** 2)
        discriminator = 0.5 * (patch_mean((on_real - 1.0) ** 2) + patch_mean(on_fake**2))
    else:
        adversarial = patch_mean(-on_fake)
        discriminator = patch_mean(np.maximum(0, 1 - on_real) + np.maximum(0, 1 + on_fake))
    l1 = np.abs(fake - target.numpy()).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(generated["l1_loss"], l1, rtol=1e-5)
    np.testing.assert_allclose(generated["adversarial_loss"], adversarial, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(generated["generator_loss"], adversarial + 100 * l1, rtol=1e-4)
    np.testing.assert_allclose(discriminated["discriminator_loss"], 0.5 * discriminator, rtol=1e-4)


def test_discriminator_step_does_not_reach_the_generator(painting_pairs, batch) -> None:
    system = build_tiny(painting_pairs)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(system.discriminator_objective(batch, {}, True)["discriminator_loss"])
    gradients = tape.gradient(loss, system.variables_of("generator", "discriminator"))
    generator_count = len(system.variables_of("generator"))
    assert all(gradient is None for gradient in gradients[:generator_count])
    assert all(gradient is not None for gradient in gradients[generator_count:])


def test_export_declares_translate_beside_serving_default(painting_pairs) -> None:
    system = build_tiny(painting_pairs)
    signatures = registry.get("pix2pix").export_signatures(system)
    assert sorted(signatures) == ["encoded", "serving_default", "translate"]
    assert signatures["translate"].inputs["image"].spec.shape.as_list() == [None, 64, 64, 3]
