"""Configuration of the gated-convolution inpainting baseline and its `paper` / `tiny` presets."""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError
from tfface.config.model_config import SystemConfig, non_negative, positive
from tfface.systems.inpainting_config import (
    NO_PERCEPTUAL,
    InpaintingModelConfig,
    paper_run,
    tiny_run,
)


@dataclasses.dataclass(frozen=True)
class GatedInpaintingModelConfig(InpaintingModelConfig):
    """The GatedConvNet baseline of Sevastopolskiy 2019 sec. 4.2.2 (Yu et al., ICCV 2019).

    Defaults are Yu et al.'s DeepFill v2 values (generator, SN-PatchGAN, hinge loss, L1 on
    both stages, Adam 1e-4 with betas 0.5, 0.999) plus the perceptual losses the thesis says
    its baseline was trained with (same terms and weights as warp inpainting, Eq. 3.13;
    `InpaintingModelConfig`: content_weight, style_weight, perceptual_weights, beta_1,
    beta_2, holes).

    Args:
        base_filters: c, gated outputs of the first layer (Yu et al.'s cnum 48 / 2 = 24).
        dilation_rates: rates of the dilated gated convolutions (2, 4, 8, 16).
        contextual_attention: the attention branch's contextual attention layer.
        attention_rate: downsampling of the attention's patch matching (2).
        attention_softmax_scale: softmax temperature of the attention (10).
        discriminator_filters, discriminator_kernel_size, discriminator_strides: SN-PatchGAN
            (64, 128, 256, 256, 256, 256; 5 x 5; stride 2 each), input image + hole mask.
        coarse_l1_weight, refined_l1_weight: L1 of the coarse and refined outputs (1, 1).
        adversarial_weight: weight of the generator's adversarial loss (1).
        adversarial_form: "hinge" (SN-PatchGAN), "least_squares" or "non_saturating".
        discriminator_learning_rate: Adam rate of the discriminator (1e-4); the generator
            uses train.learning_rate (1e-4).
    """

    base_filters: int = positive(24)
    dilation_rates: tuple[int, ...] = positive((2, 4, 8, 16))
    contextual_attention: bool = True
    attention_rate: int = positive(2)
    attention_softmax_scale: float = positive(10.0)
    discriminator_filters: tuple[int, ...] = positive((64, 128, 256, 256, 256, 256))
    discriminator_kernel_size: int = positive(5)
    discriminator_strides: tuple[int, ...] = positive((2, 2, 2, 2, 2, 2))
    coarse_l1_weight: float = non_negative(1.0)
    refined_l1_weight: float = non_negative(1.0)
    adversarial_weight: float = non_negative(1.0)
    adversarial_form: Literal["hinge", "least_squares", "non_saturating"] = "hinge"
    discriminator_learning_rate: float = positive(1e-4)

    def validate(self) -> None:
        """One stride per discriminator layer; the image survives the generator's halvings."""
        if not 0 < len(self.discriminator_filters) == len(self.discriminator_strides):
            raise ConfigError(
                "model.discriminator_filters and model.discriminator_strides need the same "
                "length and positive values"
            )
        multiple = 4 * (self.attention_rate if self.contextual_attention else 1)
        if self.image_size is not None and self.image_size % multiple:
            raise ConfigError(
                f"image size {self.image_size} must be a positive multiple of {multiple} (two "
                "halvings, then the attention's downsampling)"
            )


@dataclasses.dataclass(frozen=True)
class GatedInpaintingConfig(SystemConfig):
    """Experiment config of `tfface train gated_inpainting` (the `model` section above)."""

    model: GatedInpaintingModelConfig = dataclasses.field(
        default_factory=GatedInpaintingModelConfig
    )


def paper() -> GatedInpaintingConfig:
    """The baseline as trained for Tables 4.3-4.4: 256 px, the warp system's 100,000 steps and
    batch 8 (the thesis trains both on the same data), Yu et al.'s Adam 1e-4."""
    return GatedInpaintingConfig(
        model=GatedInpaintingModelConfig(), **paper_run("gated_inpainting", learning_rate=1e-4)
    )


def tiny() -> GatedInpaintingConfig:
    """64 px, 4 gated filters, 3 dilated layers, a 4-layer SN-PatchGAN, no perceptual losses,
    batch 4: tests, smoke runs and the demo."""
    return GatedInpaintingConfig(
        model=GatedInpaintingModelConfig(
            **NO_PERCEPTUAL,
            base_filters=4,
            dilation_rates=(2, 4, 8),
            discriminator_filters=(8, 16, 32, 32),
            discriminator_strides=(2, 2, 2, 2),
            discriminator_learning_rate=5e-4,
        ),
        **tiny_run("gated_inpainting"),
    )
