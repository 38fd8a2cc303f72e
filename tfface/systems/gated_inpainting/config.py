"""Configuration of the gated-convolution inpainting baseline and its `paper` / `tiny` presets."""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, ExperimentConfig, TrainConfig, register_preset
from tfface.data.hole_masks import HoleMaskConfig

ADVERSARIAL_FORMS = ("hinge", "least_squares", "non_saturating")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


@dataclasses.dataclass(frozen=True)
class GatedInpaintingModelConfig:
    """The GatedConvNet baseline of Sevastopolskiy 2019 sec. 4.2.2 (Yu et al., ICCV 2019).

    Defaults are Yu et al.'s DeepFill v2 values (generator, SN-PatchGAN, hinge loss, L1 on
    both stages, Adam 1e-4 with betas 0.5, 0.999) plus the perceptual losses the thesis says
    its baseline was trained with (same terms and weights as warp inpainting, Eq. 3.13).

    Args:
        image_size: side of the square images; None (the presets) = data.image_size.
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
        content_weight, style_weight: VGG16 perceptual losses of the refined output
            (2e-2, 5e4; 0 and 0 build no VGG16).
        perceptual_weights: "imagenet", a weight file, or "random" (tests only).
        discriminator_learning_rate: Adam rate of the discriminator (1e-4); the generator
            uses train.learning_rate (1e-4).
        beta_1, beta_2: Adam parameters (0.5, 0.999).
        holes: where the training holes come from (`tfface.data.hole_masks`).
        ema_decay: EMA decay of the generator's weights (None: no EMA).
    """

    image_size: int | None = None
    base_filters: int = 24
    dilation_rates: tuple[int, ...] = (2, 4, 8, 16)
    contextual_attention: bool = True
    attention_rate: int = 2
    attention_softmax_scale: float = 10.0
    discriminator_filters: tuple[int, ...] = (64, 128, 256, 256, 256, 256)
    discriminator_kernel_size: int = 5
    discriminator_strides: tuple[int, ...] = (2, 2, 2, 2, 2, 2)
    coarse_l1_weight: float = 1.0
    refined_l1_weight: float = 1.0
    adversarial_weight: float = 1.0
    adversarial_form: Literal["hinge", "least_squares", "non_saturating"] = "hinge"
    content_weight: float = 2e-2
    style_weight: float = 5e4
    perceptual_weights: str = "imagenet"
    discriminator_learning_rate: float = 1e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    holes: HoleMaskConfig = dataclasses.field(default_factory=HoleMaskConfig)
    ema_decay: float | None = None

    def __post_init__(self) -> None:
        for name in (
            "base_filters",
            "attention_rate",
            "attention_softmax_scale",
            "discriminator_kernel_size",
            "discriminator_learning_rate",
        ):
            _require(getattr(self, name) > 0, f"model.{name} must be positive")
        _require(
            all(rate > 0 for rate in self.dilation_rates), "model.dilation_rates must be positive"
        )
        _require(
            len(self.discriminator_filters) == len(self.discriminator_strides) > 0
            and all(v > 0 for v in self.discriminator_filters + self.discriminator_strides),
            "model.discriminator_filters and model.discriminator_strides need the same length "
            "and positive values",
        )
        _require(
            self.adversarial_form in ADVERSARIAL_FORMS,
            f"model.adversarial_form must be one of {', '.join(ADVERSARIAL_FORMS)}",
        )
        for name in (
            "coarse_l1_weight",
            "refined_l1_weight",
            "adversarial_weight",
            "content_weight",
            "style_weight",
        ):
            _require(getattr(self, name) >= 0, f"model.{name} must be >= 0")
        _require(
            all(0.0 <= beta < 1.0 for beta in (self.beta_1, self.beta_2)),
            "Adam betas must lie in [0, 1)",
        )
        _require(self.ema_decay is None or 0.0 < self.ema_decay < 1.0, "model.ema_decay in (0, 1)")
        if self.image_size is not None:
            multiple = 4 * (self.attention_rate if self.contextual_attention else 1)
            _require(
                self.image_size > 0 and self.image_size % multiple == 0,
                f"image size {self.image_size} must be a positive multiple of {multiple} (two "
                "halvings, then the attention's downsampling)",
            )


@dataclasses.dataclass(frozen=True)
class GatedInpaintingConfig(ExperimentConfig):
    """Experiment config of `tfface train gated_inpainting` (the `model` section above)."""

    model: GatedInpaintingModelConfig = dataclasses.field(
        default_factory=GatedInpaintingModelConfig
    )

    def __post_init__(self) -> None:
        _require(
            self.model.image_size in (None, self.data.image_size),
            f"model.image_size ({self.model.image_size}) must equal data.image_size "
            f"({self.data.image_size}) or be null",
        )
        self.resolved_model()

    def resolved_model(self) -> GatedInpaintingModelConfig:
        """The model section with image_size = data.image_size."""
        return dataclasses.replace(self.model, image_size=self.data.image_size)


@register_preset("gated_inpainting", "paper")
def paper() -> GatedInpaintingConfig:
    """The baseline as trained for Tables 4.3-4.4: 256 px, the warp system's 100,000 steps and
    batch 8 (the thesis trains both on the same data), Yu et al.'s Adam 1e-4."""
    return GatedInpaintingConfig(
        system="gated_inpainting",
        preset="paper",
        data=DataConfig(image_size=256),
        train=TrainConfig(
            steps=100000, batch_size=8, learning_rate=1e-4, log_every=100, checkpoint_every=5000
        ),
        model=GatedInpaintingModelConfig(),
    )


@register_preset("gated_inpainting", "tiny")
def tiny() -> GatedInpaintingConfig:
    """64 px, 4 gated filters, 3 dilated layers, a 4-layer SN-PatchGAN, no perceptual losses,
    batch 4: tests, smoke runs and the demo."""
    return GatedInpaintingConfig(
        system="gated_inpainting",
        preset="tiny",
        data=DataConfig(image_size=64, shuffle_buffer=256),
        train=TrainConfig(
            steps=300, batch_size=4, learning_rate=5e-4, log_every=50, checkpoint_every=100
        ),
        model=GatedInpaintingModelConfig(
            base_filters=4,
            dilation_rates=(2, 4, 8),
            discriminator_filters=(8, 16, 32, 32),
            discriminator_strides=(2, 2, 2, 2),
            content_weight=0.0,
            style_weight=0.0,
            discriminator_learning_rate=5e-4,
        ),
    )
