"""Config of `cycle_gan`: unpaired photo <-> painting translation (Liu 2019 l.601-642, l.699-704).

CycleGAN (Zhu et al. ICCV 2017) as the thesis implements it: Zhu's ResNet generator at 64 px
with resize-convolution up-sampling and reflection padding, the least-squares GAN loss,
cycle weight 10 and identity weight 0.5 x cycle [orig], an image pool of 50, white noise
(sigma 0.05) on the discriminators' inputs in their update, and a TV term (0.1) on the
outputs (l.702-704). Adam 2e-4 (0.5, 0.999), batch 4, 100 + 100 epochs (the rate decays
linearly to 0 over the second half). The `standard` preset is Zhu's original at 256 px.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Literal

from tfface import config as tfface_config
from tfface.config.model_config import fraction, non_negative, positive, unit_interval
from tfface.networks.conv_blocks import Norm
from tfface.networks.resnet_generator import Upsampling
from tfface.systems.translation_settings import translation_preset

PAPER_STEPS = 45000
"""200 epochs of the thesis's 900 training paintings at batch 4 (l.689, l.704)."""


@dataclasses.dataclass(frozen=True)
class CycleGANModelConfig(tfface_config.ModelConfig):
    """Networks, loss weights and optimizers of CycleGAN (module docstring).

    Args:
        domain_b_dir: a dataset folder whose `image` records are domain B (e.g. paintings
            built by `tfface data build image_folder`); "" reads domain B from the main
            data's `target_image` as an independently shuffled stream.
        generator_filters: filters of the generators' first convolution (64, c7s1-64).
        residual_blocks: residual blocks of each generator (6 at 64 / 128 px, 9 at 256).
        upsampling: "resize_conv" (Liu 2019 l.702) or "transposed" (Zhu et al.).
        norm: normalisation of G and D ("instance").
        discriminator_filters: filters of the PatchGAN's first layer (64).
        discriminator_layers: its stride-2 layers (3: 70 x 70 patches).
        adversarial_form: "least_squares" (LSGAN, l.704) or "non_saturating" (the log loss
            the thesis writes, l.616).
        cycle_weight: lambda of the cycle losses |F(G(x)) - x|_1 + |G(F(y)) - y|_1 (10).
        identity_ratio: the identity term's weight as a fraction of cycle_weight (0.5 [orig]:
            gamma 5); 0 = off.
        identity_form: "zhu" |G(y) - y| + |F(x) - x| (baseline) or "input_output"
            |G(x) - x| + |F(y) - y| (l.632's wording: each output against its own input).
        total_variation_weight: weight of the isotropic TV of both outputs (0.1, l.704).
        discriminator_noise: std of the white noise added to D's inputs in D's update
            (0.05, l.704); 0 = off.
        pool_size: generated images kept per domain for D's update (50, l.702); 0 = off.
        learning_rate: Adam rate of both groups (2e-4).
        beta_1, beta_2: Adam betas (0.5, 0.999).
        decay_fraction: the rate falls linearly to 0 over this last fraction of the steps.
    """

    domain_b_dir: str = ""
    generator_filters: int = positive(64)
    residual_blocks: int = positive(6)
    upsampling: Upsampling = "resize_conv"
    norm: Norm = "instance"
    discriminator_filters: int = positive(64)
    discriminator_layers: int = positive(3)
    adversarial_form: Literal["least_squares", "non_saturating"] = "least_squares"
    cycle_weight: float = non_negative(10.0)
    identity_ratio: float = non_negative(0.5)
    identity_form: Literal["zhu", "input_output"] = "zhu"
    total_variation_weight: float = non_negative(0.1)
    discriminator_noise: float = non_negative(0.05)
    pool_size: int = non_negative(50)
    learning_rate: float = positive(2e-4)
    beta_1: float = unit_interval(0.5)
    beta_2: float = unit_interval(0.999)
    decay_fraction: float = fraction(0.5)

    def validate(self) -> None:
        """The generators halve the image twice."""
        if self.image_size is not None and self.image_size % 4:
            raise tfface_config.ConfigError(
                f"model.image_size must be a multiple of 4, got {self.image_size}"
            )


@dataclasses.dataclass(frozen=True)
class CycleGANConfig(tfface_config.SystemConfig):
    """Experiment config of `tfface train cycle_gan`."""

    model: CycleGANModelConfig = dataclasses.field(default_factory=CycleGANModelConfig)


preset = functools.partial(translation_preset, CycleGANConfig, "cycle_gan")
"""(name, size, train settings, **model overrides) -> the config of a preset."""


def paper() -> CycleGANConfig:
    """Liu 2019's CycleGAN: 64 px, batch 4, 6 blocks, resize convolutions, noise, TV, pool."""
    return preset("paper", 64, {"steps": PAPER_STEPS, "batch_size": 4, "learning_rate": 2e-4})


def standard() -> CycleGANConfig:
    """Zhu et al.'s CycleGAN: 256 px, batch 1, 9 blocks, transposed convolutions, no noise
    or TV (the thesis's baseline before its changes)."""
    return preset(
        "standard",
        256,
        {"steps": 200000, "batch_size": 1, "learning_rate": 2e-4},
        residual_blocks=9,
        upsampling="transposed",
        total_variation_weight=0.0,
        discriminator_noise=0.0,
    )


def tiny() -> CycleGANConfig:
    """64 px, widths 8, 2 blocks, pool 8, no decay: tests and smoke runs."""
    schedule = {"steps": 300, "batch_size": 4, "log_every": 50, "checkpoint_every": 100}
    return preset(
        "tiny",
        64,
        schedule,
        generator_filters=8,
        residual_blocks=2,
        discriminator_filters=8,
        pool_size=8,
        learning_rate=1e-3,
        decay_fraction=0.0,
    )
