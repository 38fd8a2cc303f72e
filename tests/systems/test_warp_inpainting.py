"""The warp_inpainting system's own maths: the forward pass's mixture, the samplers, the
optional gap discriminator, the paper networks. The contract (test_system_contract.py) covers
training, optimizer groups, two replicas, checkpoints, export and presets;
test_inpainting_edges.py the export's and `inpaint`'s input checks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from shared_cases import shared_trained_fixture
from system_kit import FACES, SIZE, Case, largest_change, make_system, tiny_config, values

from tfface.config import ConfigError, get_preset
from tfface.networks.hourglass_gap_discriminator import build_gap_discriminator
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.systems.warp_inpainting import WarpInpaintingSystem
from tfface.systems.warp_inpainting.warping import warp_known_pixels

SYSTEM = "warp_inpainting"


trained = shared_trained_fixture(
    Case(SYSTEM, FACES)
)  # the contract's tiny system (forward sampler)


def test_forward_pass_shapes_and_mixture(trained) -> None:
    system, batch = trained["system"], next(iter(trained["batches"]))
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


def test_backward_sampler_and_training_without_the_gap_discriminator(trained, faces_dir) -> None:
    system, batch = trained["system"], next(iter(trained["batches"]))
    forward = system.forward(batch["image"], batch["hole_mask"], sampler="forward")["image"]
    backward = system.forward(batch["image"], batch["hole_mask"], sampler="backward")["image"]
    assert np.all(np.isfinite(backward.numpy()))
    assert np.abs(forward.numpy() - backward.numpy()).max() > 1e-4
    with pytest.raises(ValueError, match="sampler must be 'forward' or 'backward'"):
        system.forward(batch["image"], batch["hole_mask"], sampler="sideways")
    # gap_weight 0 (Tables 4.3-4.4's FWD / BKWD rows): no h_xi, its update steps nothing.
    config = tiny_config(SYSTEM, faces_dir, "model.sampler=backward", "model.gap_weight=0")
    plain = make_system(config)
    assert "gap_discriminator" not in plain.network_names
    assert set(plain.optimizer_groups) == {"generator", "discriminator"}
    before = {name: values(plain.variables_of(name)) for name in plain.network_names}
    logs = plain.train_step(batch)  # eagerly: every update with backward warping
    assert all(np.isfinite(float(value)) for value in logs.values())
    assert float(logs["gap_loss"]) == 0 and float(logs["gap_discriminator_loss"]) == 0
    for name in plain.network_names:
        assert largest_change(before[name], values(plain.variables_of(name))) > 0, name


def test_paper_networks_match_the_thesis_parameter_counts() -> None:
    """Sec. 4.2.3: f_omega 981,140, p_eta 15,584,523, d_psi 2,783,797, h_xi 869,025 parameters."""
    model = get_preset(SYSTEM, "paper").resolved_model()
    assert (model.warp_fields, model.l1_weight, model.style_weight, model.gap_weight) == (
        10,
        10.0,
        5e4,
        1e-5,
    )
    # Fully convolutional networks: the counts do not depend on the image size.
    networks = WarpInpaintingSystem.build_networks(
        dataclasses.replace(model, image_size=16), seed=0
    )
    assert networks["warp_regressor"].count_params() == pytest.approx(981_140, rel=0.01)
    assert networks["merger"].count_params() == pytest.approx(15_584_523, rel=0.01)
    assert networks["patch_discriminator"].count_params() == pytest.approx(2_783_797, rel=0.01)
    assert networks["gap_discriminator"].count_params() == pytest.approx(869_025, rel=0.05)
    assert build_gap_discriminator(16).output.shape == (None, 16, 16, 1)
    with pytest.raises(ValueError, match="need the same, non-zero length"):
        build_spectral_patch_discriminator(16, filters=(8, 16), strides=(2,))
    with pytest.raises(ConfigError, match="model.patch_norm must be one of"):
        dataclasses.replace(model, patch_norm="group")
    with pytest.raises(ConfigError, match="model.encoder_blocks must be >= 2"):
        dataclasses.replace(model, encoder_blocks=1)
