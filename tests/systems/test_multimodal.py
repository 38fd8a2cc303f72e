"""multimodal: configuration names, Table 2.1's adversarial forms against NumPy, the network
shapes of tables 3.3-3.7, the sign of the style-diversity term, the latent draws, the
exported translations, the `--pair-domains` data, the sweep table and the refusals.

Training, checkpoints, the two-replica update (ED with every term) and the export are the
contract's (tests/systems/test_system_contract.py); the Multinorm two-replica update is
`test_multinorm_two_replicas_make_the_update_of_one_device` here (isolated); the learning
check is test_multimodal_learning.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from system_kit import NIR_PAIRS, fixed_batches, tiny_config
from two_replicas import assert_two_replicas_make_the_update_of_one_device

from tfface.config import ConfigError, get_preset
from tfface.data.reader import make_dataset
from tfface.systems import registry
from tfface.systems.multimodal import MultimodalModelConfig, networks
from tfface.systems.multimodal.config import tiny_variant
from tfface.systems.multimodal.losses import discriminator_loss, generator_loss
from tfface.systems.multimodal.naming import model_settings
from tfface.systems.multimodal.sweep import SweepOptions, sweep_config, write_table
from tfface.systems.multimodal.thesis_results import CONFIGURATION_NAMES, thesis_result

nir_pairs = pytest.fixture(scope="module", name="nir_pairs")(
    lambda synthfaces_data: synthfaces_data(NIR_PAIRS)
)
"""The folder of the NIR_PAIRS SynthFaces records (mask_texture -> nir)."""


@pytest.fixture(scope="module")
def batch(nir_pairs) -> dict:
    """A training batch {'source': (8, 64, 64, 3), 'target': (8, 64, 64, 1)}."""
    return next(
        iter(registry.get("multimodal").dataset(tiny_config("multimodal", nir_pairs), nir_pairs))
    )


def build_tiny(data_dir: str, *overrides: str):
    config = tiny_config("multimodal", data_dir, *overrides)
    system = registry.build("multimodal", config)
    registry.compile_system(system, config)
    return system


# -- names and presets -------------------------------------------------------------------


def test_every_thesis_configuration_is_a_preset_with_its_table_settings() -> None:
    assert len(CONFIGURATION_NAMES) == 26  # 27 rows, ED-LS in two tables
    for name in CONFIGURATION_NAMES:
        config = get_preset("multimodal", name)
        assert config.preset == name and config.data.image_size == 128
        assert config.train.batch_size == 12 and config.train.steps == 20 * 13500
    assert model_settings("ED-LS-LR-2") == {
        "generator": "ed",
        "adversarial_form": "least_squares",
        "latent_reconstruction_weight": 2.0,
    }
    assert model_settings("ED-LS-LR-3")["latent_reconstruction_weight"] == 5.0
    assert model_settings("Mult-LS")["generator"] == "multinorm"
    assert model_settings("ED-LS-P-2")["perceptual_distance"] == "discriminator_all"
    sd = model_settings("ED-H-LR-SD-2")
    assert (sd["style_diversity_distance"], sd["style_diversity_latent_distance"]) == (
        "face_id",
        "l1",
    )
    assert model_settings("ED-LS-LR-IR-4")["identity_distance"] == "vgg19"
    assert model_settings("ED-H-LR-IR")["identity_distance"] == "l1"
    assert model_settings("ED-LS-SM")["style_mapping"] is True
    paper = get_preset("multimodal", "paper").model
    assert paper.latent_reconstruction_weight == 2.0 and paper.generator == "ed"
    assert (paper.generator_learning_rate, paper.discriminator_learning_rate) == (1.5e-4, 4.5e-4)
    assert (paper.encoder_learning_rate, paper.mapping_learning_rate) == (1.5e-4, 4.5e-6)
    assert paper.latent_size == 512 and (paper.beta_1, paper.beta_2) == (0.5, 0.999)
    assert thesis_result("ED-LS").fid == 14.7 and thesis_result("ED-LS-LR-SD").fid is None


@pytest.mark.parametrize(
    "name, message",
    [
        ("LS-ED", "Generator-Adversarial"),
        ("ED-XY", "Generator-Adversarial"),
        ("ED-LS-Q", "unknown terms"),
        ("ED-LS-SM-LR", "misordered"),
        ("ED-LS-LR-9", r"variants \[1, 2, 3\]"),
        ("ED-LS-4", "no numbered variants"),
    ],
)
def test_malformed_configuration_names_are_refused(name, message) -> None:
    with pytest.raises(ConfigError, match=message):
        model_settings(name)


def test_bad_model_configs_are_refused() -> None:
    with pytest.raises(ConfigError, match="differ in length"):
        MultimodalModelConfig(discriminator_strides=(2, 2))
    with pytest.raises(ConfigError, match="divisible by 2"):
        MultimodalModelConfig(image_size=48)
    with pytest.raises(ConfigError, match="identity_distance"):
        MultimodalModelConfig(identity_distance="discriminator_all")
    with pytest.raises(ConfigError):
        MultimodalModelConfig(adversarial_form="wasserstein")


# -- losses and networks -----------------------------------------------------------------


def test_adversarial_forms_are_table_2_1() -> None:
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, 3, 5, 5, 1)).astype(np.float32)
    mean = lambda values: values.reshape(3, -1).mean(axis=1)  # noqa: E731
    softplus = lambda values: np.log1p(np.exp(values))  # noqa: E731  -log s(y) = softplus(-y)
    expected_d = {
        "original": mean(softplus(-real)) + mean(softplus(fake)),
        "least_squares": mean(0.5 * (real - 1) ** 2) + mean(0.5 * fake**2),
        "hinge": mean(np.maximum(0, 1 - real)) + mean(np.maximum(0, 1 + fake)),
    }
    expected_g = {
        "original": mean(softplus(-fake)),
        "least_squares": mean(0.5 * (fake - 1) ** 2),
        "hinge": mean(-fake),
    }
    for form in expected_d:
        np.testing.assert_allclose(discriminator_loss(real, fake, form), expected_d[form], 1e-5)
        np.testing.assert_allclose(generator_loss(fake, form, False), expected_g[form], 1e-5)
    saturating = mean(-fake - softplus(-fake))  # h = -y - log(1 + e^-y) = log(1 - s(y))
    np.testing.assert_allclose(generator_loss(fake, "original", True), saturating, 1e-5)


def test_network_shapes_are_tables_3_3_to_3_7() -> None:
    paper = dataclasses.replace(get_preset("multimodal", "paper").model, image_size=128)
    discriminator = networks.build_patch_discriminator(paper)
    shapes = [tuple(output.shape[1:]) for output in discriminator.outputs]
    assert shapes == [(65, 65, 32), (33, 33, 64), (17, 17, 128), (9, 9, 256), (10, 10, 512)] + [
        (11, 11, 1)
    ]
    encoder = networks.build_latent_encoder(paper)
    assert tuple(encoder.input.shape[1:]) == (128, 128, 1)  # an image (SEEDS.md)
    assert tuple(encoder.output.shape[1:]) == (512,)
    mapping = networks.build_style_mapping(paper)
    dense = [layer for layer in mapping.layers if hasattr(layer, "units")]
    assert len(dense) == 8 and all(layer.units == 512 for layer in dense)
    assert dense[-1].activation.__name__ == "linear"


@pytest.mark.parametrize("generator", ["ed", "multinorm"])
def test_generators_translate_a_render_to_one_nir_channel(batch, generator, nir_pairs) -> None:
    system = build_tiny(nir_pairs, f"model.generator={generator}")
    nir = system(batch["source"])
    assert nir.shape == (8, 64, 64, 1)
    assert float(tf.reduce_max(tf.abs(nir))) <= 1.0
    uint8 = tf.cast((batch["source"] + 1.0) * 127.5, tf.uint8)
    np.testing.assert_allclose(system(uint8), nir, atol=0.05)  # uint8 inputs are converted


def test_the_style_diversity_term_is_subtracted(batch, nir_pairs) -> None:
    """Eq. 3.2 is maximised (SEEDS.md): L_G = L_adv + ... - lambda_sd L_sd; flipping the sign
    makes the total disagree with its terms."""
    system = build_tiny(
        nir_pairs,
        "model.style_diversity_weight=2",
        "model.style_diversity_distance=l1",
        "model.latent_reconstruction_weight=0",
    )
    terms = system.generator_objective(batch, {}, training=False)
    assert float(tf.reduce_min(terms["style_diversity"])) > 0
    np.testing.assert_allclose(
        terms["generator_loss"],
        terms["adversarial_loss"] - 2.0 * terms["style_diversity"],
        rtol=1e-5,
    )


def test_latent_draws_are_stateless_per_step_and_purpose(batch, nir_pairs) -> None:
    system = build_tiny(nir_pairs)
    first = system.latents(batch, 1)
    np.testing.assert_array_equal(first, system.latents(batch, 1))
    assert not np.allclose(first, system.latents(batch, 0))
    system.step_counter.assign_add(1)
    assert not np.allclose(first, system.latents(batch, 1))
    assert first.shape == (8, system.latent_size)


# -- the exported translations ---------------------------------------------------------------


def test_translate_random_is_seeded_and_grouped_by_input(batch, nir_pairs) -> None:
    system = build_tiny(nir_pairs)
    source = batch["source"][:2]
    styles = system.translate_random(source, tf.constant([5, 6], tf.int64), tf.constant([3, 3]))
    assert styles.shape == (6, 64, 64, 1)
    again = system.translate_random(source, tf.constant([5, 7], tf.int64), tf.constant([3, 3]))
    np.testing.assert_allclose(styles[:3], again[:3], atol=1e-6)  # same seed, same styles
    assert not np.allclose(styles[3:], again[3:])  # another seed
    z = tf.random.stateless_normal([3, system.latent_size], tf.constant([5, 0], tf.int64))
    np.testing.assert_allclose(
        styles[:3], system.translate(tf.repeat(source[:1], 3, 0), z), atol=1e-5
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="one count per request"):
        system.translate_random(source, tf.constant([1, 2], tf.int64), tf.constant([2, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="one z per image"):
        system.translate(source, tf.zeros([3, system.latent_size]))


def test_translate_like_takes_the_style_through_the_encoder(batch, nir_pairs) -> None:
    system = build_tiny(nir_pairs)
    reference = tf.image.grayscale_to_rgb(batch["target"][:2])
    like = system.translate_like(batch["source"][:2], reference)
    latents = system.latent_encoder(batch["target"][:2])
    expected = system.translate(batch["source"][:2], latents)
    np.testing.assert_allclose(like, expected, atol=1e-3)  # luma of tiled grey: rounding
    signatures = system.EXPORTS(system)
    assert set(signatures) == {
        "serving_default",
        "encoded",
        "translate",
        "translate_random",
        "translate_like",
    }
    without = build_tiny(nir_pairs, "model.latent_reconstruction_weight=0")
    assert "translate_like" not in without.EXPORTS(without)
    with pytest.raises(ValueError, match="latent encoder"):
        without.translate_like(batch["source"][:2], reference)


# -- data ----------------------------------------------------------------------------------


def test_pair_domains_records_pair_a_colour_coded_render_with_its_nir(nir_pairs) -> None:
    records = next(
        iter(
            make_dataset(
                f"{nir_pairs}/train-*.tfrecord",
                features=("image", "target_image", "face_mask", "domain"),
                batch_size=8,
                image_size=64,
                shuffle=False,
            )
        )
    )
    assert set(records["domain"].numpy()) == {b"mask_texture"}
    image, target = records["image"].numpy(), records["target_image"].numpy()
    face = records["face_mask"].numpy()[..., 0] > 0.5
    skin = image[face]
    assert skin[:, 0].mean() > skin[:, 1].mean() + 0.3  # the colour code: red skin
    assert np.allclose(target[..., 0], target[..., 1]) and np.allclose(
        target[..., 0], target[..., 2]
    )
    assert target[face].std() > 0.02  # NIR shading, not the flat colour code


def test_pair_domains_cannot_be_combined_with_frontal_pairs(tmp_path) -> None:
    from pipelines import synthfaces

    with pytest.raises(SystemExit):
        synthfaces.main(
            ["--output", str(tmp_path), "--identities", "1", "--size", "32", "--pair-with-frontal"]
            + ["--pair-domains", "mask_texture", "nir"]
        )


# -- sweep -----------------------------------------------------------------------------------


def test_sweep_configs_and_table(tmp_path) -> None:
    options = SweepOptions(
        data_dir="DATA", out=str(tmp_path), tiny=True, overrides=("train.steps=7",)
    )
    config = sweep_config("ED-LS-LR-IR-2", options)
    assert config.train.steps == 7 and config.data.image_size == 64
    assert config.model.identity_reconstruction_weight == 1.0
    assert config == dataclasses.replace(
        tiny_variant(get_preset("multimodal", "ED-LS-LR-IR-2")),
        data=dataclasses.replace(config.data, data_dir="DATA"),
        train=dataclasses.replace(config.train, steps=7),
    )
    with pytest.raises(ConfigError, match="Generator-Adversarial"):
        sweep_config("XX-LS", options)
    row = {
        "configuration": "ED-LS",
        "fid": 10.0,
        "input_fid": 40.0,
        "diversity": 0.1,
        "diversity_metric": "perceptual_unit",
        "sources": 5,
        "thesis_table": "4.3",
        "thesis_fid": 14.7,
        "thesis_lpips": 0.18,
        "thesis_note": "",
    }
    table = write_table([row], tmp_path).read_text()
    assert "| ED-LS | 10 | 40 | 0.1 | 4.3 | 14.7 | 0.18 |" in table
    assert "diversity (perceptual_unit)" in table
    assert (tmp_path / "table.json").is_file() and (tmp_path / "table.csv").is_file()
    assert "gaze error" not in table
    preserved = {**row, "gaze_error": 0.05, "landmark_nme": 0.12, "real_landmark_nme": 0.1}
    table = write_table([preserved], tmp_path / "preserved").read_text()
    assert "| ED-LS | 10 | 40 | 0.1 | 4.3 | 14.7 | 0.18 | 0.05 | 0.12 | 0.1 |" in table
    assert "gaze error | pose NME | pose NME of the real targets |" in table
    assert SweepOptions(data_dir="D", out="O", landmark_model="fit").scores_preservation


# -- the Multinorm generator under two replicas ----------------------------------------------


@pytest.mark.isolated
def test_multinorm_two_replicas_make_the_update_of_one_device(synthfaces_data) -> None:
    data_dir = synthfaces_data(NIR_PAIRS)
    config = tiny_config(
        "multimodal",
        data_dir,
        "model.generator=multinorm",
        "model.identity_reconstruction_weight=1",
        "model.identity_distance=l1",
    )

    def build():
        system = registry.build("multimodal", config)
        registry.compile_system(system, config)
        return system

    history = assert_two_replicas_make_the_update_of_one_device(
        build, fixed_batches(config, data_dir, 2)
    )
    assert history["identity_reconstruction_loss"][0] > 0
