"""What the inpainting systems' configs share: the perceptual losses, Adam's betas, the holes,
and the run settings of their `paper` and `tiny` presets.

`warp_inpainting` (Sevastopolskiy 2019 sec. 4.2.3) and its `gated_inpainting` baseline
(ibid. sec. 4.2.2, Yu et al. ICCV 2019) are trained on the same data with the same
perceptual losses (Eq. 3.13: alpha_content = 2e-2, alpha_style = 5e4) and the same Adam
betas; each system's model config subclasses `InpaintingModelConfig`.
"""

from __future__ import annotations

import dataclasses

from tfface.config import DataConfig, TrainConfig
from tfface.config.model_config import ModelConfig, non_negative, unit_interval
from tfface.data.hole_masks import HoleMaskConfig


@dataclasses.dataclass(frozen=True)
class InpaintingModelConfig(ModelConfig):
    """The model fields of both inpainting systems.

    Args:
        content_weight, style_weight: VGG16 perceptual losses of the inpainted output
            (alpha_content = 2e-2, alpha_style = 5e4, Eq. 3.13; 0 and 0 build no VGG16).
        perceptual_weights: VGG16 weights of the content / style losses: "imagenet", a
            keras.applications notop weight file, or "random" (tests only).
        beta_1, beta_2: Adam parameters of every optimizer (0.5, 0.999: Yu et al.'s values;
            the thesis gives none).
        holes: where the training holes come from (`tfface.data.hole_masks`).
    """

    content_weight: float = non_negative(2e-2)
    style_weight: float = non_negative(5e4)
    perceptual_weights: str = "imagenet"
    beta_1: float = unit_interval(0.5)
    beta_2: float = unit_interval(0.999)
    holes: HoleMaskConfig = dataclasses.field(default_factory=HoleMaskConfig)


NO_PERCEPTUAL = {"content_weight": 0.0, "style_weight": 0.0}
"""The `tiny` presets' model fields: no VGG16 (its ImageNet weights are not in tests)."""


def paper_run(system: str, learning_rate: float) -> dict:
    """The `paper` preset of `system` without its model: 256 px, 100,000 steps, batch 8 (the
    thesis gives no batch size; 8 is ours), the generator at `learning_rate`."""
    return {
        "system": system,
        "preset": "paper",
        "data": DataConfig(image_size=256),
        "train": TrainConfig(
            steps=100000,
            batch_size=8,
            learning_rate=learning_rate,
            log_every=100,
            checkpoint_every=5000,
        ),
    }


def tiny_run(system: str) -> dict:
    """The `tiny` preset of `system` without its model: 64 px, 300 steps of batch 4 at 5e-4."""
    return {
        "system": system,
        "preset": "tiny",
        "data": DataConfig(image_size=64, shuffle_buffer=256),
        "train": TrainConfig(
            steps=300, batch_size=4, learning_rate=5e-4, log_every=50, checkpoint_every=100
        ),
    }
