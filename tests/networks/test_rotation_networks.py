"""The warp_rotation networks (Sevastopolskiy 2019 sec. 4.1.2): shapes, the identity start, sizes."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.networks import (
    build_rotation_discriminator,
    build_rotation_gap_discriminator,
    build_rotation_inpainter,
    build_rotation_warp_regressor,
)
from tfface.systems.warp_rotation import WarpRotationModelConfig


def test_shapes_and_the_identity_warp_at_initialisation() -> None:
    inputs = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 6)).astype(np.float32)
    regressor = build_rotation_warp_regressor(32, 6, 4, blocks=4, convolutions_per_block=2)
    offsets = regressor(inputs).numpy()
    assert offsets.shape == (2, 32, 32, 2) and not offsets.any()  # zero-initialised: identity
    inpainter = build_rotation_inpainter(32, 6, 4, dilations=(2,), max_filters=16)
    assert inpainter.output.shape == (None, 32, 32, 3)  # the gated layers' symbolic shapes
    image = inpainter(inputs).numpy()
    assert image.shape == (2, 32, 32, 3) and np.abs(image).max() <= 1.0
    discriminator = build_rotation_discriminator(32, 4, layers=4)
    assert discriminator(inputs[..., :3]).shape == (2, 1)  # one average-pooled logit
    gap = build_rotation_gap_discriminator(32, 4, levels=3)
    assert gap(inputs[..., :3]).shape == (2, 32, 32, 1)  # a logit per pixel


def test_bad_sizes_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="divisible by 2"):
        build_rotation_warp_regressor(30, blocks=3)
    with pytest.raises(ValueError, match="too small for 6 stride-2 layers"):
        build_rotation_discriminator(32, layers=6)
    with pytest.raises(ValueError, match="divisible by 2"):
        build_rotation_inpainter(30)
    with pytest.raises(ValueError, match="divisible by 2"):
        build_rotation_gap_discriminator(36, levels=4)


def test_paper_sizes_are_close_to_the_thesis_parameter_counts() -> None:
    """Thesis 004 sec. 4.1.2: 3,020,993 / 5,640,742 / 536,000 / 869,025 parameters."""
    model = WarpRotationModelConfig(image_size=128)
    counts = {
        "regressor": build_rotation_warp_regressor(
            128,
            5,
            model.regressor_base_filters,
            model.regressor_blocks,
            model.regressor_convolutions,
            model.regressor_max_filters,
        ).count_params(),
        "inpainter": build_rotation_inpainter(
            128, 6, model.inpainter_base_filters, max_filters=model.inpainter_max_filters
        ).count_params(),
        "discriminator": build_rotation_discriminator(
            128, model.discriminator_base_filters, max_filters=model.discriminator_max_filters
        ).count_params(),
        "gap": build_rotation_gap_discriminator(
            128, model.gap_base_filters, model.gap_levels, model.gap_max_filters
        ).count_params(),
    }
    thesis = {"regressor": 3020993, "inpainter": 5640742, "discriminator": 536000, "gap": 869025}
    for name, count in counts.items():
        assert 0.75 < count / thesis[name] < 1.25, (name, count)
