"""Config of `pix2pix`: paired image-to-image translation (Isola et al. CVPR 2017).

Liu 2019 reviews pix2pix (l.388-424) for the photo <-> portrait task; the thesis states no
values of its own, so the defaults are the original paper's [orig]: U-Net G, 70 x 70
PatchGAN D on (input, output) pairs, L1 weight 100, D objective halved, Adam 2e-4 (0.5,
0.999), batch 1, 256 px, constant rate then linear decay over the second half (the
reference code's 100 + 100 epochs).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Literal

from tfface import config as tfface_config
from tfface.config import ConfigError
from tfface.config.model_config import fraction, non_negative, positive, unit_interval
from tfface.networks.conv_blocks import Norm
from tfface.systems.translation_data import Direction
from tfface.systems.translation_settings import translation_preset


@dataclasses.dataclass(frozen=True)
class Pix2PixModelConfig(tfface_config.ModelConfig):
    """Networks, loss weights and optimizers of pix2pix (module docstring).

    Args:
        direction: "a_to_b" translates the records' `image` into `target_image` (SynthFaces
            `--pair-domains rgb painting`: photo -> painting), "b_to_a" the reverse.
        generator_downsamplings: stride-2 layers of the U-Net (8 at 256 px reaches 1 x 1;
            image_size must be divisible by 2^this).
        generator_filters: filters of the U-Net's first layer (64; doubling to 512).
        generator_max_filters: cap of the U-Net's filters (512).
        dropout_rate: dropout of the innermost decoder layers, pix2pix's noise (0.5; l.405).
            Training only; drawn per replica, so under several replicas the masks differ
            from one device's (0 makes N replicas equal one device exactly).
        dropout_layers: decoder layers with dropout (3).
        norm: normalisation of G and D ("instance": pix2pix's batch norm at batch 1).
        discriminator_filters: filters of the PatchGAN's first layer (64; C64-C128-C256-C512).
        discriminator_layers: its stride-2 layers (3: the 70 x 70 PatchGAN, l.403).
        l1_weight: lambda of the L1 term (100, Isola et al. Eq. 4).
        adversarial_form: "non_saturating" (pix2pix's cGAN log loss, Eq. 1 with the
            generator maximising log D), "least_squares" or "hinge" (`tfface.losses.adversarial`).
        discriminator_loss_factor: factor of D's objective (0.5: "we divide the objective by
            2 while optimizing D", l.412).
        learning_rate: Adam rate of G and D (2e-4).
        beta_1, beta_2: Adam betas (0.5, 0.999).
        decay_fraction: the rate falls linearly to 0 over this last fraction of the steps
            (0.5: 100 + 100 epochs).
    """

    direction: Direction = "a_to_b"
    generator_downsamplings: int = positive(8)
    generator_filters: int = positive(64)
    generator_max_filters: int = positive(512)
    norm: Norm = "instance"
    dropout_rate: float = unit_interval(0.5)
    dropout_layers: int = non_negative(3)
    discriminator_filters: int = positive(64)
    discriminator_layers: int = positive(3)
    l1_weight: float = non_negative(100.0)
    adversarial_form: Literal["non_saturating", "least_squares", "hinge"] = "non_saturating"
    discriminator_loss_factor: float = positive(0.5)
    learning_rate: float = positive(2e-4)
    beta_1: float = unit_interval(0.5)
    beta_2: float = unit_interval(0.999)
    decay_fraction: float = fraction(0.5)

    def validate(self) -> None:
        """The U-Net halves the image `generator_downsamplings` times."""
        if self.image_size is not None and self.image_size % 2**self.generator_downsamplings:
            raise ConfigError(
                f"model.image_size {self.image_size} must be divisible by "
                f"2^model.generator_downsamplings = {2**self.generator_downsamplings}"
            )
        if self.dropout_layers > self.generator_downsamplings - 1:
            raise ConfigError(
                f"model.dropout_layers {self.dropout_layers} exceeds the U-Net's "
                f"{self.generator_downsamplings - 1} inner decoder layers"
            )


@dataclasses.dataclass(frozen=True)
class Pix2PixConfig(tfface_config.SystemConfig):
    """Experiment config of `tfface train pix2pix`."""

    model: Pix2PixModelConfig = dataclasses.field(default_factory=Pix2PixModelConfig)


preset = functools.partial(translation_preset, Pix2PixConfig, "pix2pix")
"""(name, size, train settings, **model overrides) -> the config of a preset."""


def paper() -> Pix2PixConfig:
    """The original paper's setting: 256 px, batch 1, Adam 2e-4, 200,000 steps."""
    return preset("paper", 256, {"steps": 200000, "batch_size": 1, "learning_rate": 2e-4})


def tiny() -> Pix2PixConfig:
    """64 px (the thesis's size), 6 halvings to 1 x 1, tiny widths: tests and smoke runs."""
    schedule = {"steps": 300, "batch_size": 4, "log_every": 50, "checkpoint_every": 100}
    widths = {"generator_filters": 8, "generator_max_filters": 32, "discriminator_filters": 8}
    return preset(
        "tiny",
        64,
        schedule,
        generator_downsamplings=6,
        learning_rate=1e-3,
        decay_fraction=0.0,
        **widths,
    )
