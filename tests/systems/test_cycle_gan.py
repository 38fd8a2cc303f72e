"""cycle_gan (issue #23 item 3): presets with the thesis's and Zhu's numbers, refusals, the
unpaired streams, the objectives (LSGAN, cycle, both identity forms, isotropic TV) against
NumPy, the D inputs (image pool, white noise drawn per global batch), the D step that leaves
the generators alone, both export directions and the pools in the checkpoint.

Training, checkpoints, the two-replica update and the export are the contract's
(tests/systems/test_system_contract.py).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from system_kit import PAINTING_PAIRS, tiny_config

from tfface.config import ConfigError, apply_overrides, get_preset
from tfface.data.reader import make_dataset
from tfface.systems import registry
from tfface.systems.cycle_gan.system import replica_noise

painting_pairs = pytest.fixture(scope="module", name="painting_pairs")(
    lambda synthfaces_data: synthfaces_data(PAINTING_PAIRS)
)


def first_batch(data_dir: str, *overrides: str) -> dict:
    config = tiny_config("cycle_gan", data_dir, *overrides)
    return next(iter(registry.get("cycle_gan").dataset(config, data_dir)))


@pytest.fixture(scope="module")
def batch(painting_pairs) -> dict:
    """{'domain_a': photos, 'domain_b': paintings}, float32 (4, 64, 64, 3) in [-1, 1]."""
    return first_batch(painting_pairs)


def build_tiny(data_dir: str, *overrides: str):
    config = tiny_config("cycle_gan", data_dir, *overrides)
    system = registry.build("cycle_gan", config)
    registry.compile_system(system, config)
    return system


def patch_mean(values: np.ndarray) -> np.ndarray:
    return values.reshape(values.shape[0], -1).mean(axis=1)


def l1(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.abs(first - second).mean(axis=(1, 2, 3))


def isotropic_tv(images: np.ndarray) -> np.ndarray:
    dy = images[:, 1:, :-1] - images[:, :-1, :-1]
    dx = images[:, :-1, 1:] - images[:, :-1, :-1]
    return np.sqrt(dx**2 + dy**2 + 1e-8).sum(axis=(1, 2, 3)) / np.prod(images.shape[1:])


def test_presets_have_the_thesis_and_zhu_numbers() -> None:
    paper = get_preset("cycle_gan", "paper")
    model = paper.resolved_model()
    assert paper.data.image_size == 64 and paper.train.batch_size == 4
    assert (model.residual_blocks, model.upsampling, model.pool_size) == (6, "resize_conv", 50)
    assert (model.cycle_weight, model.identity_ratio, model.identity_form) == (10.0, 0.5, "zhu")
    assert (model.discriminator_noise, model.total_variation_weight) == (0.05, 0.1)
    assert model.adversarial_form == "least_squares" and model.discriminator_layers == 3
    adam = registry.get("cycle_gan").system_class.optimizer_configs(paper)["generators"]
    assert (adam.learning_rate, adam.beta_1, adam.decay_start) == (2e-4, 0.5, 22500)
    standard = get_preset("cycle_gan", "standard").resolved_model()
    assert (standard.image_size, standard.residual_blocks, standard.upsampling) == (
        256,
        9,
        "transposed",
    )
    assert standard.discriminator_noise == standard.total_variation_weight == 0.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (("data.image_size=62",), "multiple of 4"),
        (("model.identity_form=mirror",), "identity_form"),
        (("model.upsampling=deconv",), "upsampling"),
        (("model.adversarial_form=wasserstein",), "adversarial_form"),
        (("model.pool_size=-1",), "pool_size"),
    ],
)
def test_bad_settings_are_refused(overrides: tuple[str, ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        apply_overrides(get_preset("cycle_gan", "tiny"), list(overrides)).resolved_model()


def test_domains_come_as_two_unpaired_streams(painting_pairs, batch) -> None:
    records = next(
        iter(
            make_dataset(
                f"{painting_pairs}/train-*.tfrecord",
                features=("image", "target_image"),
                batch_size=8,
                image_size=64,
                shuffle=False,
            )
        )
    )
    photos, paintings = records["image"].numpy(), records["target_image"].numpy()

    def index_in(images: np.ndarray, pool: np.ndarray) -> list[int]:
        return [int(np.abs(pool - image).sum(axis=(1, 2, 3)).argmin()) for image in images]

    a = index_in(batch["domain_a"].numpy(), photos)
    b = index_in(batch["domain_b"].numpy(), paintings)
    np.testing.assert_allclose(batch["domain_a"], photos[a], atol=1e-6)
    np.testing.assert_allclose(batch["domain_b"], paintings[b], atol=1e-6)
    assert a != b  # the rows are not the records' pairs
    other = first_batch(painting_pairs, f"model.domain_b_dir={painting_pairs}")
    np.testing.assert_allclose(
        other["domain_b"], photos[index_in(other["domain_b"].numpy(), photos)], atol=1e-6
    )


@pytest.mark.parametrize("identity_form", ["zhu", "input_output"])
def test_objectives_match_numpy(painting_pairs, batch, identity_form: str) -> None:
    system = build_tiny(painting_pairs, f"model.identity_form={identity_form}")
    generated = system.generator_objective(batch, {}, training=False)
    discriminated = system.discriminator_objective(batch, generated, training=False)

    x, y = batch["domain_a"], batch["domain_b"]
    g, f = system.generator_ab, system.generator_ba
    fake_b, fake_a = g(x).numpy(), f(y).numpy()
    on_fake_b = system.discriminator_b(fake_b)[-1].numpy()
    on_fake_a = system.discriminator_a(fake_a)[-1].numpy()
    adversarial = patch_mean((on_fake_b - 1) ** 2) + patch_mean((on_fake_a - 1) ** 2)
    x, y = x.numpy(), y.numpy()
    cycle = l1(f(fake_b).numpy(), x) + l1(g(fake_a).numpy(), y)
    if identity_form == "zhu":
        identity = l1(g(y).numpy(), y) + l1(f(x).numpy(), x)
    else:
        identity = l1(fake_b, x) + l1(fake_a, y)
    variation = isotropic_tv(fake_b) + isotropic_tv(fake_a)
    total = adversarial + 10 * cycle + 5 * identity + 0.1 * variation
    for name, expected in (
        ("adversarial_loss", adversarial),
        ("cycle_loss", cycle),
        ("identity_loss", identity),
        ("total_variation_loss", variation),
        ("generator_loss", total),
    ):
        np.testing.assert_allclose(generated[name], expected, rtol=1e-4, err_msg=name)
    for domain, real, fake in (("a", x, fake_a), ("b", y, fake_b)):
        discriminator = system.network(f"discriminator_{domain}")
        on_real, on_fake = discriminator(real)[-1].numpy(), discriminator(fake)[-1].numpy()
        expected = 0.5 * (patch_mean((on_real - 1) ** 2) + patch_mean(on_fake**2))
        np.testing.assert_allclose(
            discriminated[f"discriminator_{domain}_loss"], expected, rtol=1e-4
        )


def test_discriminator_inputs_are_pooled_and_noisy_only_in_training(painting_pairs, batch):
    system = build_tiny(painting_pairs)
    real, fake = batch["domain_a"], batch["domain_b"]
    held_out = system.discriminator_inputs(real, fake, system.pool_a, 0, training=False)
    np.testing.assert_array_equal(held_out, tf.concat([real, fake], 0))
    assert int(system.pool_a.count.numpy()) == 0
    noisy = system.discriminator_inputs(real, fake, system.pool_a, 0, training=True)
    assert int(system.pool_a.count.numpy()) == 4  # the pool fills with the fakes first
    noise = (noisy - held_out).numpy()
    assert 0.045 < noise.std() < 0.055 and abs(noise.mean()) < 0.005
    # the draw is one global batch: one replica's rows equal one device's
    seed = tf.constant([3, 9], tf.int64)
    np.testing.assert_array_equal(replica_noise(seed, real, 0.05), replica_noise(seed, real, 0.05))


def test_discriminator_step_does_not_reach_the_generators(painting_pairs, batch) -> None:
    system = build_tiny(painting_pairs)
    with tf.GradientTape() as tape:
        carried = system.generator_objective(batch, {}, training=True)
        loss = tf.reduce_mean(
            system.discriminator_objective(batch, carried, True)["discriminator_loss"]
        )
    generators = system.variables_of("generator_ab", "generator_ba")
    discriminators = system.variables_of("discriminator_a", "discriminator_b")
    gradients = tape.gradient(loss, generators + discriminators)
    assert all(gradient is None for gradient in gradients[: len(generators)])
    assert all(gradient is not None for gradient in gradients[len(generators) :])


def test_exports_both_directions_and_checkpoints_the_pools(painting_pairs, batch, tmp_path):
    system = build_tiny(painting_pairs)
    signatures = registry.get("cycle_gan").export_signatures(system)
    assert sorted(signatures) == ["a_to_b", "b_to_a", "encoded", "serving_default"]
    paintings = batch["domain_b"]
    np.testing.assert_allclose(
        signatures["b_to_a"].function({"image": paintings})["image"],
        system.generator_ba(paintings),
        atol=1e-6,
    )
    system.pool_b(paintings)
    path = system.checkpoint().write(str(tmp_path / "checkpoint"))
    restored = build_tiny(painting_pairs)
    restored.checkpoint().read(path).assert_existing_objects_matched()
    assert int(restored.pool_b.count.numpy()) == 4
    np.testing.assert_array_equal(restored.pool_b.images.numpy()[:4], paintings)
