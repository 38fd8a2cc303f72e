"""Configuration of the multi-warp inpainting system and its `paper` / `tiny` presets."""

from __future__ import annotations

import dataclasses

from tfface.config import ConfigError
from tfface.config.model_config import SystemConfig, non_negative, positive
from tfface.losses.gap import GapGeneratorForm
from tfface.networks.conv_blocks import Norm
from tfface.ops.warp import Sampler
from tfface.systems.inpainting_config import (
    NO_PERCEPTUAL,
    InpaintingModelConfig,
    paper_run,
    tiny_run,
)


@dataclasses.dataclass(frozen=True)
class WarpInpaintingModelConfig(InpaintingModelConfig):
    """Networks, loss weights and optimiser of warp inpainting (Sevastopolskiy 2019 sec. 3.4, 4.2).

    Defaults are the thesis's values (sec. 4.2.3, Eq. 3.13) and our documented choices; the
    perceptual losses (alpha_content = 2e-2, alpha_style = 5e4), Adam's betas and the holes
    are `InpaintingModelConfig`'s.

    Args:
        warp_fields: K, the forward warp fields regressed per image (thesis: 10).
        sampler: "forward" (the thesis's method, Eq. 3.4-3.7) or "backward" (the compared
            variant, Eq. 3.1-3.3: the same fields read as backward flows).
        regressor_base_filters: f of the residual hourglass f_omega (20: 979,380 parameters,
            the thesis reports 981,140; see `tfface.networks.hourglass_residual`).
        merger_filter_multiplier: the merger p_eta has this many times the regressor's
            feature maps (thesis: 4).
        encoder_blocks, residual_blocks, decoder_blocks: blocks of both hourglasses (6, 12, 6).
        gap_base_filters: f of the gap discriminator h_xi (21: 837,208 parameters; thesis
            869,025).
        gap_blocks: convolutional blocks of h_xi (thesis: 16).
        patch_filters, patch_kernel_size, patch_strides: the SN patch discriminator d_psi
            (ours: pix2pix's 64..512, 4 x 4, strides 2, 2, 2, 1; thesis: 4 SN convolutions).
        patch_norm: normalisation of d_psi (thesis: BatchNorm, synchronised over replicas).
        l1_weight, rigidity_weight, adversarial_weight, gap_weight: alpha_L1 = 10,
            alpha_rigidity = 1, alpha_adv = 0.1, alpha_gap = 1e-5 (sec. 4.2.3). gap_weight = 0
            trains without the gap discriminator (the FWD / BKWD rows of Tables 4.3-4.4): h_xi
            is not built.
        gap_generator_form: the inpainter's gap loss: "holes" (sec. 3.3, filled pixels should
            look known; default), "all_pixels" (sec. 3.4 as printed) or "zero_sum" (the text
            after Eq. 3.12); see `tfface.losses.gap`.
        gap_balanced: class-balanced gap discriminator loss (Eq. 3.12, default) or the
            per-pixel mean printed in sec. 3.4.
        scale_discriminator_losses: multiply the discriminators' losses by alpha_adv and
            alpha_gap as sec. 3.4 prints them. Off by default: with Adam only epsilon sees the
            scale, and alpha_gap = 1e-5 would push the gap discriminator's gradients down to
            Adam's epsilon.
        discriminator_learning_rate, gap_discriminator_learning_rate: Adam rates of d_psi and
            h_xi (thesis: 1e-5 each); the generator (f_omega + p_eta) uses train.learning_rate
            (thesis: 2e-5).
        paste_known_pixels: the inference output keeps the input's known pixels (training
            losses use the raw merged image F, as Eq. 3.13 does).
    """

    warp_fields: int = positive(10)
    sampler: Sampler = "forward"
    regressor_base_filters: int = positive(20)
    merger_filter_multiplier: int = positive(4)
    encoder_blocks: int = 6
    residual_blocks: int = non_negative(12)
    decoder_blocks: int = 6
    gap_base_filters: int = positive(21)
    gap_blocks: int = 16
    patch_filters: tuple[int, ...] = positive((64, 128, 256, 512))
    patch_kernel_size: int = positive(4)
    patch_strides: tuple[int, ...] = positive((2, 2, 2, 1))
    patch_norm: Norm = "batch"
    l1_weight: float = non_negative(10.0)
    rigidity_weight: float = non_negative(1.0)
    adversarial_weight: float = non_negative(0.1)
    gap_weight: float = non_negative(1e-5)
    gap_generator_form: GapGeneratorForm = "holes"
    gap_balanced: bool = True
    scale_discriminator_losses: bool = False
    discriminator_learning_rate: float = positive(1e-5)
    gap_discriminator_learning_rate: float = positive(1e-5)
    paste_known_pixels: bool = True

    def validate(self) -> None:
        """Block counts the hourglasses need; one stride per patch layer; the size halves twice."""
        minimum_blocks = {"encoder_blocks": 2, "decoder_blocks": 2, "gap_blocks": 4}
        for name, minimum in minimum_blocks.items():
            if getattr(self, name) < minimum:
                raise ConfigError(f"model.{name} must be >= {minimum}")
        if not 0 < len(self.patch_filters) == len(self.patch_strides):
            raise ConfigError(
                "model.patch_filters and model.patch_strides need the same length and positive "
                "values"
            )
        if self.image_size is not None and self.image_size % 4:
            raise ConfigError(
                f"image size {self.image_size} must be a positive multiple of 4 (the hourglasses "
                "halve it twice)"
            )


@dataclasses.dataclass(frozen=True)
class WarpInpaintingConfig(SystemConfig):
    """Experiment config of `tfface train warp_inpainting`: the `model` section above, the
    `paper` and `tiny` presets below."""

    model: WarpInpaintingModelConfig = dataclasses.field(default_factory=WarpInpaintingModelConfig)


def paper() -> WarpInpaintingConfig:
    """Sevastopolskiy 2019 sec. 4.2.3: 256 px (DeepFashion), 100,000 steps, Adam 2e-5 / 1e-5."""
    return WarpInpaintingConfig(
        model=WarpInpaintingModelConfig(), **paper_run("warp_inpainting", learning_rate=2e-5)
    )


def tiny() -> WarpInpaintingConfig:
    """64 px, 4 warp fields, few filters and blocks, no perceptual losses, batch 4.

    Tests, smoke runs and the demo; the learning check (tests/systems/
    test_warp_inpainting_learning.py) trains it on SynthFaces with small free-form holes.
    Learning rates are 25x / 50x the thesis's for short runs.
    """
    return WarpInpaintingConfig(
        model=WarpInpaintingModelConfig(
            **NO_PERCEPTUAL,
            warp_fields=4,  # f_omega and p_eta
            regressor_base_filters=4,
            encoder_blocks=3,
            residual_blocks=2,
            decoder_blocks=3,
            patch_filters=(8, 16, 32),  # d_psi
            patch_strides=(2, 2, 1),
            gap_base_filters=4,  # h_xi
            gap_blocks=6,
            discriminator_learning_rate=5e-4,
            gap_discriminator_learning_rate=5e-4,
        ),
        **tiny_run("warp_inpainting"),
    )
