"""The mask_guided system's own behaviour: its training phases, variants, the editing API, the
train and edit commands. The contract (test_system_contract.py) covers training, optimizer
groups, two replicas, checkpoints, export and presets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from system_kit import FACES, SIZE, Case, fixed_batches, make_system, tiny_config

from tfface.cli.edit import load_trained_system
from tfface.cli.main import main
from tfface.systems.mask_guided import MaskGuidedSystem

SYSTEM = "mask_guided"


@pytest.fixture(scope="module")
def trained(trained_case) -> dict:
    """The contract's trained tiny system: 1 parser pre-training step, then 2 GAN steps
    (paired, unpaired). Shared: do not change it."""
    return trained_case(Case(SYSTEM, FACES, ("model.parser_pretrain_steps=1",), steps=3))


def test_parser_pretraining_then_gan_steps_with_a_frozen_parser(trained) -> None:
    """Each optimizer steps only in its phase (Eq. 3.7, then Eq. 3.3 / 3.9 with P_F frozen);
    the contract checks that each one moves only its own networks."""
    system, history = trained["system"], trained["history"]
    assert isinstance(system, MaskGuidedSystem)
    assert int(system.step_counter.numpy()) == 3
    iterations = {
        name: int(optimizer.iterations.numpy())
        for name, optimizer in system.system_optimizers.items()
    }
    assert iterations == {"parser": 1, "generator": 2, "discriminator": 2}
    for name in (
        "parser_loss",
        "local_loss",
        "global_loss",
        "adversarial_loss",
        "feature_matching_loss",
        "parsing_loss",
        "generator_loss",
        "discriminator_loss",
    ):
        assert np.isfinite(history[name][0]) and history[name][0] > 0, name
    assert history["paired"][0] == pytest.approx(0.5)  # one paired, one unpaired step


def test_held_out_losses_are_paired_and_measure_the_inference_path(trained) -> None:
    """Held out, every stage's objective runs in inference mode on paired data (source =
    target): L_global is the reconstruction error of `call`, the parser loss is Eq. 3.7."""
    system = trained["system"]
    batch = next(iter(trained["batches"]))
    held_out = system.held_out_losses(batch)
    assert set(held_out) == set(system.LOSS_NAMES)
    np.testing.assert_array_equal(held_out["paired"].numpy(), 1.0)
    images, masks = batch["image"], batch["label_map_11"]
    inputs = {"source_image": images, "source_mask": masks}
    reconstruction = system({**inputs, "target_image": images, "target_mask": masks})
    expected = np.mean(np.square(reconstruction.numpy() - images.numpy()), axis=(1, 2, 3))
    np.testing.assert_allclose(held_out["global_loss"].numpy(), expected, rtol=1e-4)
    logits = system.face_parser(images, training=False).numpy()
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    weights = np.asarray(trained["config"].model.parser_class_weights, np.float32)
    per_pixel = -(masks.numpy() * log_probabilities).sum(-1) * (masks.numpy() @ weights)
    np.testing.assert_allclose(
        held_out["parser_loss"].numpy(), per_pixel.mean(axis=(1, 2)), rtol=1e-4
    )


def test_variants_train_a_step(faces_dir) -> None:
    """VAE local embeddings, the multi target mask encoder, eye-pixel crops, the log GAN form."""
    config = tiny_config(
        SYSTEM,
        faces_dir,
        "model.parser_pretrain_steps=0",
        "model.vae_local_embeddings=true",
        "model.multi_target_mask_encoder=true",
        "model.eye_pixels_only=true",
        "model.adversarial_form=original",
    )
    batch = next(iter(fixed_batches(config, faces_dir, 1)))
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


def test_train_command_then_edit_command_on_pngs(faces_dir, tmp_path, faces, capsys) -> None:
    run_dir = tmp_path / "run"
    code = main(
        ["train", "mask_guided", "--preset", "tiny", "--data", faces_dir, "--out", str(run_dir)]
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
