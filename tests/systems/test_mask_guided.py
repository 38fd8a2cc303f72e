"""The mask_guided system: training, distribution, checkpoints, editing API, train and edit commands."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfface.cli.edit import load_trained_system
from tfface.cli.main import main
from tfface.config import apply_overrides, get_preset
from tfface.systems import registry
from tfface.systems.mask_guided import MaskGuidedSystem
from tfface.training.strategy import make_strategy

SIZE = 64


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> str:
    from pipelines import synthfaces

    folder = tmp_path_factory.mktemp("synthfaces")
    synthfaces.main(
        ["--output", str(folder), "--identities", "8", "--size", str(SIZE), "--uv-size", "32"]
        + ["--yaws", "0", "20", "--splits", "train=1,validation=0,test=0"]
    )
    return str(folder)


def tiny_config(data_dir: str, *overrides: str):
    """The tiny preset, one parser pre-training step, then GAN steps."""
    return apply_overrides(
        get_preset("mask_guided", "tiny"),
        [f"data.data_dir={data_dir}", "model.parser_pretrain_steps=1", *overrides],
    )


def fixed_batches(config, data_dir: str, count: int) -> tf.data.Dataset:
    """`count` batches of the system's dataset, materialised so every run sees the same ones."""
    batches = list(registry.get("mask_guided").dataset(config, data_dir).take(count))
    stacked = {key: tf.stack([batch[key] for batch in batches]) for key in batches[0]}
    return tf.data.Dataset.from_tensor_slices(stacked)


def make_system(config, strategy: tf.distribute.Strategy | None = None):
    spec = registry.get("mask_guided")
    with (strategy or tf.distribute.get_strategy()).scope():
        system = spec.build(config)
        spec.compile(system, config)
        system.enable_ema()
    return system


def values(variables) -> list[np.ndarray]:
    return [variable.numpy() for variable in variables]


def parser_variables(system) -> list:
    return system.face_parser.weights


@pytest.fixture(scope="module")
def trained(data_dir):
    """A tiny system after 1 parser step and 2 GAN steps (paired, unpaired)."""
    config = tiny_config(data_dir)
    batches = fixed_batches(config, data_dir, 3)
    system = make_system(config)
    initial_generator = values(system.variables_of("mask_guided_generator", "skin_encoder"))
    first = system.fit(batches.take(1), verbose=0).history
    after_parser = {
        "parser": values(parser_variables(system)),
        "generator": values(system.variables_of("mask_guided_generator", "skin_encoder")),
    }
    rest = system.fit(batches.skip(1), verbose=0).history
    return {
        "config": config,
        "system": system,
        "batches": batches,
        "initial_generator": initial_generator,
        "after_parser": after_parser,
        "histories": (first, rest),
    }


def test_tiny_system_trains_with_finite_losses_and_a_frozen_parser(trained) -> None:
    system = trained["system"]
    first, rest = trained["histories"]
    assert isinstance(system, MaskGuidedSystem)
    assert int(system.step_counter.numpy()) == 3
    assert np.isfinite(first["parser_loss"][0]) and first["parser_loss"][0] > 0
    for name in (
        "local_loss",
        "global_loss",
        "adversarial_loss",
        "feature_matching_loss",
        "parsing_loss",
        "generator_loss",
        "discriminator_loss",
    ):
        assert np.isfinite(rest[name][0]) and rest[name][0] > 0, name
    assert rest["paired"][0] == pytest.approx(0.5)  # one paired, one unpaired step
    # The parser step moved only the parser; the GAN steps moved everything but the parser.
    for before, after in zip(
        trained["initial_generator"], trained["after_parser"]["generator"], strict=True
    ):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(
        trained["after_parser"]["parser"], values(parser_variables(system)), strict=True
    ):
        np.testing.assert_array_equal(before, after)
    moved = [
        np.abs(before - after).max()
        for before, after in zip(
            trained["after_parser"]["generator"],
            values(system.variables_of("mask_guided_generator", "skin_encoder")),
            strict=True,
        )
    ]
    assert max(moved) > 0
    assert system.optimizer_parser.iterations.numpy() == 1
    assert system.optimizer_generator.iterations.numpy() == 2


@pytest.mark.isolated
def test_two_replicas_make_the_update_of_one_device(data_dir) -> None:
    """Parser step, paired step, unpaired step: 2 replicas == 1 device for the global batch.

    Plain SGD: the check is about the reduction arithmetic. With Adam the first steps
    divide each gradient element by its own magnitude, so elements whose true gradient is
    ~0 (the instance-normalised directions) turn summation-order rounding into O(lr) steps,
    and one device already differs from itself that much under a 1e-7 weight perturbation.
    """
    strategy = make_strategy("mirrored")
    if strategy.num_replicas_in_sync != 2:
        pytest.fail("needs 2 logical CPU devices (tests/conftest.py)")
    config = tiny_config(data_dir)
    batches = fixed_batches(config, data_dir, 3)
    systems = []
    for scope in (tf.distribute.get_strategy(), strategy):
        with scope.scope():
            system = registry.get("mask_guided").build(config)
            system.compile(
                optimizers={
                    name: keras.optimizers.SGD(1e-3)
                    for name in ("parser", "generator", "discriminator")
                }
            )
        systems.append(system)
    single, mirrored = systems
    initial = values(single.variables_of(*single.network_names))
    single_history = single.fit(batches, verbose=0).history
    mirrored_history = mirrored.fit(batches, verbose=0).history
    assert single_history["paired"] == pytest.approx([0.5])
    for key, value in single_history.items():
        np.testing.assert_allclose(mirrored_history[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
    names = single.network_names
    single_weights = values(single.variables_of(*names))
    for a, b in zip(single_weights, values(mirrored.variables_of(*names)), strict=True):
        # float32 sums in another order: relative noise ~1e-6 on weights of size ~10
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    # The updates are large enough for a replica-count error to show at this tolerance.
    moved = max(np.abs(a - b).max() for a, b in zip(initial, single_weights, strict=True))
    assert moved > 1e-4


def test_variants_train_a_step(data_dir) -> None:
    """VAE local embeddings, the multi target mask encoder, eye-pixel crops, the log GAN form."""
    config = tiny_config(
        data_dir,
        "model.parser_pretrain_steps=0",
        "model.vae_local_embeddings=true",
        "model.multi_target_mask_encoder=true",
        "model.eye_pixels_only=true",
        "model.adversarial_form=original",
    )
    batch = next(iter(fixed_batches(config, data_dir, 1)))
    system = make_system(config)
    logs = system.train_step(batch)  # eagerly: one generator and discriminator update
    assert all(np.isfinite(float(value)) for value in logs.values())
    assert float(logs["kl_loss"]) > 0
    assert system.mask_encoder.output.shape[-1] == 5 * 4 * config.model.base_filters
    assert system.left_eye_encoder.output[0].shape[-1] == config.model.latent_dim
    assert np.mean(batch["crop_left_eye"].numpy() == -1.0) > 0.5  # only the eye is kept
    inputs = {
        "source_image": batch["image"],
        "source_mask": batch["label_map_11"],
        "target_image": batch["image"],
        "target_mask": batch["label_map_11"],
    }
    assert system(inputs).shape == (4, SIZE, SIZE, 3)


def test_checkpoint_round_trip(trained, tmp_path) -> None:
    system, config = trained["system"], trained["config"]
    path = system.checkpoint().save(str(tmp_path / "checkpoint"))
    restored = make_system(config)
    restored.checkpoint().restore(path).assert_existing_objects_matched()
    assert int(restored.step_counter.numpy()) == 3
    assert int(restored.optimizer_generator.iterations.numpy()) == 2
    names = system.network_names
    for a, b in zip(
        values(system.variables_of(*names)), values(restored.variables_of(*names)), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    batch = next(iter(trained["batches"]))
    inputs = {
        "source_image": batch["image"],
        "source_mask": batch["label_map_11"],
        "target_image": tf.roll(batch["image"], 1, axis=0),
        "target_mask": tf.roll(batch["label_map_11"], 1, axis=0),
    }
    np.testing.assert_allclose(system(inputs).numpy(), restored(inputs).numpy(), atol=1e-6)


@pytest.fixture(scope="module")
def faces(trained) -> dict[str, np.ndarray]:
    batch = next(iter(trained["batches"]))
    return {"images": batch["image"].numpy(), "masks": batch["label_map_11_index"].numpy()}


def test_editing_api_shapes(trained, faces) -> None:
    system = trained["system"]
    images, masks = faces["images"], faces["masks"]
    synthesized = system.synthesize(masks[0], images[0], images[1:4], masks[1:4])
    assert synthesized.shape == (3, SIZE, SIZE, 3) and np.abs(synthesized).max() <= 1.0
    one_hot = np.eye(11, dtype=np.float32)[masks[:2]]
    assert system.edit(images[:2], one_hot, masks[2:4]).shape == (2, SIZE, SIZE, 3)
    assert system.swap_mask(images[0], masks[0], masks[1]).shape == (1, SIZE, SIZE, 3)
    transferred = system.transfer_style(
        images[:2], images[2:4], ["skin", "hair"], target_mask=masks[:2], donor_mask=masks[2:4]
    )
    assert transferred.shape == (2, SIZE, SIZE, 3)
    parsed = system.parse(images[:3])
    assert parsed.shape == (3, SIZE, SIZE) and parsed.dtype == np.uint8 and parsed.max() < 11


def test_transfer_of_no_component_from_the_target_itself_is_a_reconstruction(
    trained, faces
) -> None:
    system = trained["system"]
    images, masks = faces["images"][:2], faces["masks"][:2]
    edited = system.edit(images, masks, masks)
    same_donor = system.transfer_style(images, images, ["mouth"], masks, masks)
    np.testing.assert_allclose(edited, same_donor, atol=1e-5)
    inputs = {
        "source_image": images,
        "source_mask": masks,
        "target_image": images,
        "target_mask": masks,
    }
    np.testing.assert_allclose(edited, system(inputs).numpy(), atol=1e-5)


def test_editing_api_rejects_bad_input(trained, faces) -> None:
    system = trained["system"]
    images, masks = faces["images"], faces["masks"]
    with pytest.raises(ValueError, match="32x32 but the model works on 64x64"):
        system.edit(images[0, :32, :32], masks[0, :32, :32], masks[1, :32, :32])
    with pytest.raises(ValueError, match=r"mask are 32x32"):
        system.edit(images[0], masks[0, :32, :32], masks[1])
    unknown = masks[0].copy()
    unknown[0, 0] = 11
    with pytest.raises(ValueError, match=r"unknown labels \[11\]"):
        system.edit(images[0], masks[0], unknown)
    no_mouth = masks[1].copy()
    no_mouth[np.isin(no_mouth, (7, 8, 9))] = 1
    with pytest.raises(ValueError, match="edited_mask\\[0\\] has no mouth pixels"):
        system.swap_mask(images[0], masks[0], no_mouth)
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        system.parse((images[0] + 1.0) * 127.5)
    with pytest.raises(ValueError, match="float images"):
        system.parse(np.zeros((SIZE, SIZE, 3), np.uint8))
    with pytest.raises(ValueError, match="components must be"):
        system.transfer_style(images[0], images[1], ["nose"], masks[0], masks[1])
    with pytest.raises(ValueError, match="has 3 examples but"):
        system.edit(images[:3], masks[:3], masks[:2])


def test_train_command_then_edit_command_on_pngs(data_dir, tmp_path, faces, capsys) -> None:
    run_dir = tmp_path / "run"
    code = main(
        ["train", "mask_guided", "--preset", "tiny", "--data", data_dir, "--out", str(run_dir)]
        + ["--set", "train.steps=2", "--set", "model.ema_decay=0.9"]
    )
    assert code == 0
    assert tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    loaded, loaded_config = load_trained_system(str(run_dir))
    assert loaded_config.model.ema_decay == 0.9 and loaded.ema is not None
    assert int(loaded.step_counter.numpy()) == 2  # restored, EMA weights swapped in
    with pytest.raises(RuntimeError, match="already applied"):
        loaded.ema.apply_to()

    def write(name: str, array: np.ndarray) -> str:
        path = tmp_path / name
        Image.fromarray(array).save(path)
        return str(path)

    images = np.round((faces["images"] + 1.0) * 127.5).astype(np.uint8)
    masks = faces["masks"].astype(np.uint8)
    image, mask = write("a.png", images[0]), write("a_mask.png", masks[0])
    other_mask = write("b_mask.png", masks[1])
    out = tmp_path / "out" / "edited.png"
    edit = ["edit", str(run_dir), "--image", image, "--mask", mask]
    assert main([*edit, "--edited-mask", other_mask, "--out", str(out)]) == 0
    assert np.asarray(Image.open(out)).shape == (SIZE, SIZE, 3)
    sources = [write("s1.png", images[2]), write("s2.png", images[3])]
    source_masks = [write("s1_mask.png", masks[2]), write("s2_mask.png", masks[3])]
    strip = tmp_path / "strip.png"
    command = [*edit, "--operation", "synthesize", "--source", *sources]
    assert main([*command, "--source-mask", *source_masks, "--out", str(strip)]) == 0
    assert np.asarray(Image.open(strip)).shape == (SIZE, 2 * SIZE, 3)
    parsed = tmp_path / "parsed.png"
    assert (
        main(["edit", str(run_dir), "--operation", "parse", "--image", image, "--out", str(parsed)])
        == 0
    )
    label_map = np.asarray(Image.open(parsed))
    assert label_map.shape == (SIZE, SIZE) and label_map.max() < 11
    small = write("small.png", images[0, :32, :32])
    capsys.readouterr()
    other_size = ["edit", str(run_dir), "--image", small, "--mask", mask, "--edited-mask", mask]
    assert main([*other_size, "--out", str(out)]) == 0  # resized to the run's size
    assert "small.png: 32x32 -> resized to 64x64" in capsys.readouterr().err
    colour_mask = write("colour.png", images[1])
    bad_mask = ["edit", str(run_dir), "--image", image, "--mask", colour_mask]
    assert main([*bad_mask, "--edited-mask", mask, "--out", str(out)]) == 2
    assert "single-channel label-map" in capsys.readouterr().err
    assert Path(run_dir / "run.json").is_file()
