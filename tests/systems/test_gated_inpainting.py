"""The gated_inpainting baseline's own behaviour: the two-stage forward pass, its variants, the
paper generator's size. The contract (test_system_contract.py) covers training, optimizer
groups, two replicas, checkpoints, export and presets; test_inpainting_edges.py the export's
and `inpaint`'s input checks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from shared_cases import shared_trained_fixture
from system_kit import FACES, SIZE, Case, make_system, tiny_config

from tfface.config import ConfigError, get_preset
from tfface.systems.gated_inpainting import GatedInpaintingSystem

SYSTEM = "gated_inpainting"


trained = shared_trained_fixture(
    Case(SYSTEM, FACES)
)  # the contract's tiny system (contextual attention on)


def test_forward_pass_keeps_known_pixels_and_a_varied_coarse_stage(trained) -> None:
    system, batch = trained["system"], next(iter(trained["batches"]))
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
    preview = system.preview(batch)
    assert list(preview) == ["masked", "coarse", "inpainted", "real"]
    np.testing.assert_array_equal(preview["coarse"].numpy(), outputs["coarse"].numpy())


def test_variants_train_a_step(faces_dir, trained) -> None:
    """Without contextual attention, least-squares GAN, perceptual losses (random VGG16)."""
    config = tiny_config(
        SYSTEM,
        faces_dir,
        "model.contextual_attention=false",
        "model.adversarial_form=least_squares",
        "model.perceptual_weights=random",
        "model.content_weight=0.02",
        "model.style_weight=50000",
    )
    system = make_system(config)
    assert not any("contextual" in layer.name for layer in system.generator.layers)
    logs = system.train_step(next(iter(trained["batches"])))  # eagerly
    assert all(np.isfinite(float(value)) for value in logs.values())
    assert float(logs["content_loss"]) > 0 and float(logs["style_loss"]) > 0
    with pytest.raises(ConfigError, match="multiple of 8"):
        tiny_config(SYSTEM, faces_dir, "data.image_size=36")
    with pytest.raises(ConfigError, match="need the same length"):
        tiny_config(SYSTEM, faces_dir, "model.discriminator_strides=[2, 2]")


def test_paper_generator_has_the_size_of_deepfill_v2() -> None:
    """Yu et al. report 4.1M generator parameters (cnum 48 = 24 gated features)."""
    model = get_preset(SYSTEM, "paper").resolved_model()
    networks = GatedInpaintingSystem.build_networks(
        dataclasses.replace(model, image_size=64), seed=0
    )
    assert networks["generator"].count_params() == pytest.approx(4.1e6, rel=0.02)
    assert networks["discriminator"].output.shape == (None, 1, 1, 256)  # 64 / 2^6
