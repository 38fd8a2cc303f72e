"""Configuration of the multi-warp inpainting system and its `paper` / `tiny` presets."""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, ExperimentConfig, TrainConfig, register_preset
from tfface.data.hole_masks import HoleMaskConfig

SAMPLERS = ("forward", "backward")
GAP_GENERATOR_FORMS = ("holes", "all_pixels", "zero_sum")
PATCH_NORMS = ("batch", "instance", "layer", "none")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


@dataclasses.dataclass(frozen=True)
class WarpInpaintingModelConfig:
    """Networks, loss weights and optimiser of warp inpainting (Sevastopolskiy 2019 sec. 3.4, 4.2).

    Defaults are the thesis's values (sec. 4.2.3, Eq. 3.13) and our documented choices.

    Args:
        image_size: side of the square images; None (the presets) = data.image_size.
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
        l1_weight, content_weight, style_weight, rigidity_weight, adversarial_weight,
            gap_weight: alpha_L1 = 10, alpha_content = 2e-2, alpha_style = 5e4,
            alpha_rigidity = 1, alpha_adv = 0.1, alpha_gap = 1e-5 (sec. 4.2.3). gap_weight = 0
            trains without the gap discriminator (the FWD / BKWD rows of Tables 4.3-4.4);
            content_weight = style_weight = 0 builds no VGG16.
        gap_generator_form: the inpainter's gap loss: "holes" (sec. 3.3, filled pixels should
            look known; default), "all_pixels" (sec. 3.4 as printed) or "zero_sum" (the text
            after Eq. 3.12); see `tfface.losses.gap`.
        gap_balanced: class-balanced gap discriminator loss (Eq. 3.12, default) or the
            per-pixel mean printed in sec. 3.4.
        scale_discriminator_losses: multiply the discriminators' losses by alpha_adv and
            alpha_gap as sec. 3.4 prints them. Off by default: with Adam only epsilon sees the
            scale, and alpha_gap = 1e-5 would push the gap discriminator's gradients down to
            Adam's epsilon.
        perceptual_weights: VGG16 weights of the content / style losses: "imagenet", a
            keras.applications notop weight file, or "random" (tests only).
        discriminator_learning_rate, gap_discriminator_learning_rate: Adam rates of d_psi and
            h_xi (thesis: 1e-5 each); the generator (f_omega + p_eta) uses train.learning_rate
            (thesis: 2e-5).
        beta_1, beta_2: Adam parameters (not in the thesis: 0.5, 0.999 as in the GAN papers
            it builds on).
        paste_known_pixels: the inference output keeps the input's known pixels (training
            losses use the raw merged image F, as Eq. 3.13 does).
        holes: where the training holes come from (`tfface.data.hole_masks`).
        ema_decay: EMA decay of the generator networks' weights (None: no EMA).
    """

    image_size: int | None = None
    warp_fields: int = 10
    sampler: Literal["forward", "backward"] = "forward"
    regressor_base_filters: int = 20
    merger_filter_multiplier: int = 4
    encoder_blocks: int = 6
    residual_blocks: int = 12
    decoder_blocks: int = 6
    gap_base_filters: int = 21
    gap_blocks: int = 16
    patch_filters: tuple[int, ...] = (64, 128, 256, 512)
    patch_kernel_size: int = 4
    patch_strides: tuple[int, ...] = (2, 2, 2, 1)
    patch_norm: Literal["batch", "instance", "layer", "none"] = "batch"
    l1_weight: float = 10.0
    content_weight: float = 2e-2
    style_weight: float = 5e4
    rigidity_weight: float = 1.0
    adversarial_weight: float = 0.1
    gap_weight: float = 1e-5
    gap_generator_form: Literal["holes", "all_pixels", "zero_sum"] = "holes"
    gap_balanced: bool = True
    scale_discriminator_losses: bool = False
    perceptual_weights: str = "imagenet"
    discriminator_learning_rate: float = 1e-5
    gap_discriminator_learning_rate: float = 1e-5
    beta_1: float = 0.5
    beta_2: float = 0.999
    paste_known_pixels: bool = True
    holes: HoleMaskConfig = dataclasses.field(default_factory=HoleMaskConfig)
    ema_decay: float | None = None

    def __post_init__(self) -> None:
        for name in (
            "warp_fields",
            "regressor_base_filters",
            "merger_filter_multiplier",
            "gap_base_filters",
            "patch_kernel_size",
            "discriminator_learning_rate",
            "gap_discriminator_learning_rate",
        ):
            _require(getattr(self, name) > 0, f"model.{name} must be positive")
        _require(self.sampler in SAMPLERS, f"model.sampler must be one of {', '.join(SAMPLERS)}")
        _require(
            self.gap_generator_form in GAP_GENERATOR_FORMS,
            f"model.gap_generator_form must be one of {', '.join(GAP_GENERATOR_FORMS)}",
        )
        _require(
            self.patch_norm in PATCH_NORMS,
            f"model.patch_norm must be one of {', '.join(PATCH_NORMS)}",
        )
        _require(self.encoder_blocks >= 2, "model.encoder_blocks must be >= 2 (two stride-2)")
        _require(self.decoder_blocks >= 2, "model.decoder_blocks must be >= 2 (two upsamplings)")
        _require(self.residual_blocks >= 0, "model.residual_blocks must be >= 0")
        _require(self.gap_blocks >= 4, "model.gap_blocks must be >= 4")
        _require(
            len(self.patch_filters) == len(self.patch_strides) > 0
            and all(value > 0 for value in self.patch_filters + self.patch_strides),
            "model.patch_filters and model.patch_strides need the same length and positive values",
        )
        for name in (
            "l1_weight",
            "content_weight",
            "style_weight",
            "rigidity_weight",
            "adversarial_weight",
            "gap_weight",
        ):
            _require(getattr(self, name) >= 0, f"model.{name} must be >= 0")
        _require(
            all(0.0 <= beta < 1.0 for beta in (self.beta_1, self.beta_2)),
            "Adam betas must lie in [0, 1)",
        )
        _require(self.ema_decay is None or 0.0 < self.ema_decay < 1.0, "model.ema_decay in (0, 1)")
        if self.image_size is not None:
            _require(
                self.image_size > 0 and self.image_size % 4 == 0,
                f"image size {self.image_size} must be a positive multiple of 4 (the hourglasses "
                "halve it twice)",
            )


@dataclasses.dataclass(frozen=True)
class WarpInpaintingConfig(ExperimentConfig):
    """Experiment config of `tfface train warp_inpainting` (the `model` section above)."""

    model: WarpInpaintingModelConfig = dataclasses.field(default_factory=WarpInpaintingModelConfig)

    def __post_init__(self) -> None:
        _require(
            self.model.image_size in (None, self.data.image_size),
            f"model.image_size ({self.model.image_size}) must equal data.image_size "
            f"({self.data.image_size}) or be null",
        )
        self.resolved_model()  # checks the sizes against data.image_size

    def resolved_model(self) -> WarpInpaintingModelConfig:
        """The model section with image_size = data.image_size."""
        return dataclasses.replace(self.model, image_size=self.data.image_size)


@register_preset("warp_inpainting", "paper")
def paper() -> WarpInpaintingConfig:
    """Sevastopolskiy 2019 sec. 4.2.3: 256 px (DeepFashion), 100,000 steps, Adam 2e-5 / 1e-5.

    The thesis gives no batch size; 8 is ours.
    """
    return WarpInpaintingConfig(
        system="warp_inpainting",
        preset="paper",
        data=DataConfig(image_size=256),
        train=TrainConfig(
            steps=100000, batch_size=8, learning_rate=2e-5, log_every=100, checkpoint_every=5000
        ),
        model=WarpInpaintingModelConfig(),
    )


@register_preset("warp_inpainting", "tiny")
def tiny() -> WarpInpaintingConfig:
    """64 px, 4 warp fields, few filters and blocks, no perceptual losses, batch 4.

    Tests, smoke runs and the demo; the learning check (tests/systems/
    test_warp_inpainting_learning.py) trains it on SynthFaces with small free-form holes.
    Learning rates are 25x / 50x the thesis's for short runs.
    """
    return WarpInpaintingConfig(
        system="warp_inpainting",
        preset="tiny",
        data=DataConfig(image_size=64, shuffle_buffer=256),
        train=TrainConfig(
            steps=300, batch_size=4, learning_rate=5e-4, log_every=50, checkpoint_every=100
        ),
        model=WarpInpaintingModelConfig(
            warp_fields=4,
            regressor_base_filters=4,
            encoder_blocks=3,
            residual_blocks=2,
            decoder_blocks=3,
            gap_base_filters=4,
            gap_blocks=6,
            patch_filters=(8, 16, 32),
            patch_strides=(2, 2, 1),
            content_weight=0.0,
            style_weight=0.0,
            discriminator_learning_rate=5e-4,
            gap_discriminator_learning_rate=5e-4,
        ),
    )
