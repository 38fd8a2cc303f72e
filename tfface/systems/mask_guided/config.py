"""Configuration of the mask-guided portrait editing system and its `paper` / `tiny` presets."""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import (
    ConfigError,
    DataConfig,
    ExperimentConfig,
    TrainConfig,
    register_preset,
)

NORMS = ("instance", "layer", "batch", "none")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


@dataclasses.dataclass(frozen=True)
class MaskGuidedModelConfig:
    """Networks, loss weights and optimiser of the mask-guided system (S1408 thesis ch. 3-4).

    Defaults are the thesis's values (sec. 3.2.5, 4.3.1) where it prints them, pix2pixHD's
    (Wang et al. 2018) where it does not.

    Args:
        image_size: side of the square images; None (the presets) = data.image_size, which
            `MaskGuidedConfig.resolved_model()` fills in.
        base_filters: filters of G_m / E_m / E_b / G_b at full resolution (pix2pixHD ngf).
        feature_channels: channels of each D_sub-network feature map (Gu et al.: 256).
        residual_blocks: residual blocks of G_m (thesis: 9).
        downsamplings: halvings of the global generator, 2 of them in E_m (thesis: 3).
        local_base_filters: filters of the first layer of the component autoencoders.
        local_max_filters: cap on the autoencoders' filters.
        local_downsamplings: stride-2 layers of the eye and mouth encoders (thesis: 4);
            the full-image skin and hair encoders use 3 more.
        latent_dim: size of each local embedding (Gu et al.: 512).
        local_norm: normalisation of the autoencoders ("layer": per example; the thesis
            uses batch norm, which mixes replicas' statistics under MirroredStrategy).
        discriminator_base_filters: filters of the first discriminator layer (pix2pixHD ndf).
        discriminator_layers: stride-2 layers of each discriminator (pix2pixHD n_layers_D).
        parser_base_filters: filters of the U-Net parser's first level.
        parser_depth: poolings of the U-Net parser.
        parser_norm: normalisation of the parser.
        local_weight: lambda_local of Eq. 3.9 (10).
        global_weight: lambda_global of Eq. 3.9 (1; paired steps only, Eq. 3.10).
        adversarial_weight: lambda_GD of Eq. 3.9 (1).
        feature_matching_weight: lambda_FM of Eq. 3.6 (10, pix2pixHD; paired steps only).
        parsing_weight: lambda_GP of Eq. 3.9 (1).
        kl_weight: weight of the KL term of the VAE local embeddings.
        adversarial_form: "least_squares" (the default, as pix2pixHD) or "original" (Eq. 3.3 / 3.4,
            the non-saturating log form).
        paired_fraction: fraction of generator steps on paired data (thesis 1:1 -> 0.5).
        parser_pretrain_steps: first steps that train only the face parser P_F (Eq. 3.7);
            afterwards P_F is frozen (no optimizer updates it).
        parser_class_weights: per-class weights of the parser's pre-training cross entropy
            (11 values); empty = 1 for every class, Eq. 3.7 as printed. Fixed weights (not
            batch statistics) keep replicas exact.
        parser_learning_rate: Adam learning rate of the parser pre-training (constant, then
            linear decay to zero at the end of the pre-training). The generator and the
            discriminators use train.learning_rate (thesis: 2e-4).
        parser_beta_1: Adam beta_1 of the parser pre-training (a supervised network: 0.9,
            Adam's default; the thesis's 0.5 is the GAN convention of pix2pixHD).
        beta_1, beta_2, epsilon: Adam parameters of the GAN (pix2pixHD: 0.5, 0.999; eps 1e-8).
        decay_start: generator step (counted after the parser pre-training) where the linear
            decay of train.learning_rate to zero starts (None: half of the generator steps).
        eye_pixels_only: eye crops keep only eye pixels (thesis sec. 4.5.1).
        multi_target_mask_encoder: five component mask encoders (thesis sec. 4.5.2).
        vae_local_embeddings: variational local embeddings, KL + L2 (thesis sec. 4.5.3).
        ema_decay: EMA decay of the inference networks' weights (None: no EMA).
    """

    image_size: int | None = None
    base_filters: int = 64
    feature_channels: int = 256
    residual_blocks: int = 9
    downsamplings: int = 3
    local_base_filters: int = 64
    local_max_filters: int = 512
    local_downsamplings: int = 4
    latent_dim: int = 512
    local_norm: Literal["instance", "layer", "batch", "none"] = "layer"
    discriminator_base_filters: int = 64
    discriminator_layers: int = 3
    parser_base_filters: int = 64
    parser_depth: int = 5
    parser_norm: Literal["instance", "layer", "batch", "none"] = "batch"
    local_weight: float = 10.0
    global_weight: float = 1.0
    adversarial_weight: float = 1.0
    feature_matching_weight: float = 10.0
    parsing_weight: float = 1.0
    kl_weight: float = 0.01
    adversarial_form: Literal["least_squares", "original"] = "least_squares"
    paired_fraction: float = 0.5
    parser_pretrain_steps: int = 10000
    parser_class_weights: tuple[float, ...] = ()
    parser_learning_rate: float = 2e-4
    parser_beta_1: float = 0.9
    beta_1: float = 0.5
    beta_2: float = 0.999
    epsilon: float = 1e-8
    decay_start: int | None = None
    eye_pixels_only: bool = False
    multi_target_mask_encoder: bool = False
    vae_local_embeddings: bool = False
    ema_decay: float | None = None

    def __post_init__(self) -> None:
        for name in (
            "base_filters",
            "feature_channels",
            "local_base_filters",
            "local_max_filters",
            "latent_dim",
            "discriminator_base_filters",
            "discriminator_layers",
            "parser_base_filters",
            "parser_depth",
            "parser_learning_rate",
            "epsilon",
        ):
            _require(getattr(self, name) > 0, f"model.{name} must be positive")
        _require(self.residual_blocks >= 0, "model.residual_blocks must be >= 0")
        _require(self.downsamplings >= 2, "model.downsamplings must be >= 2 (two are in E_m)")
        _require(self.local_downsamplings >= 2, "model.local_downsamplings must be >= 2")
        if self.image_size is not None:
            size = self.image_size
            _require(size > 0, "model.image_size must be positive")
            _require(
                size % 2**self.downsamplings == 0,
                f"image size {size} must be divisible by 2^model.downsamplings",
            )
            _require(
                size % 2**self.parser_depth == 0,
                f"image size {size} must be divisible by 2^model.parser_depth",
            )
        _require(0.0 <= self.paired_fraction <= 1.0, "model.paired_fraction must be in [0, 1]")
        _require(self.parser_pretrain_steps >= 0, "model.parser_pretrain_steps must be >= 0")
        _require(
            len(self.parser_class_weights) in (0, 11)
            and all(weight >= 0 for weight in self.parser_class_weights),
            "model.parser_class_weights must be empty or 11 non-negative values",
        )
        for name in (
            "local_weight",
            "global_weight",
            "adversarial_weight",
            "feature_matching_weight",
            "parsing_weight",
            "kl_weight",
        ):
            _require(getattr(self, name) >= 0, f"model.{name} must be >= 0")
        _require(
            all(0.0 <= beta < 1.0 for beta in (self.beta_1, self.beta_2, self.parser_beta_1)),
            "Adam betas must lie in [0, 1)",
        )
        _require(self.ema_decay is None or 0.0 < self.ema_decay < 1.0, "model.ema_decay in (0, 1)")
        _require(
            self.decay_start is None or self.decay_start >= 0, "model.decay_start must be >= 0"
        )


@dataclasses.dataclass(frozen=True)
class MaskGuidedConfig(ExperimentConfig):
    """Experiment config of `tfface train mask_guided` (the `model` section above)."""

    model: MaskGuidedModelConfig = dataclasses.field(default_factory=MaskGuidedModelConfig)

    def __post_init__(self) -> None:
        _require(
            self.model.image_size in (None, self.data.image_size),
            f"model.image_size ({self.model.image_size}) must equal data.image_size "
            f"({self.data.image_size}) or be null",
        )
        self.resolved_model()  # checks the sizes against data.image_size
        generator_steps = self.train.steps - self.model.parser_pretrain_steps
        _require(
            self.model.decay_start is None
            or generator_steps <= 0
            or self.model.decay_start < generator_steps,
            f"model.decay_start ({self.model.decay_start}) must be less than the generator "
            f"steps (train.steps - model.parser_pretrain_steps = {generator_steps})",
        )

    def resolved_model(self) -> MaskGuidedModelConfig:
        """The model section with image_size = data.image_size."""
        return dataclasses.replace(self.model, image_size=self.data.image_size)


@register_preset("mask_guided", "paper")
def paper() -> MaskGuidedConfig:
    """S1408 thesis sec. 4.3.1: 256 px, batch 12, Adam 2e-4 (0.5, 0.999, 1e-8), decay to 0."""
    return MaskGuidedConfig(
        system="mask_guided",
        preset="paper",
        data=DataConfig(image_size=256),
        train=TrainConfig(
            steps=128000, batch_size=12, learning_rate=2e-4, log_every=100, checkpoint_every=5000
        ),
        model=MaskGuidedModelConfig(),
    )


@register_preset("mask_guided", "tiny")
def tiny() -> MaskGuidedConfig:
    """64 px, few filters, 2 residual blocks, batch 4: tests, smoke runs and the demo.

    1400 parser pre-training steps (about 90 s on 2 CPU cores; the face parser then reaches
    mIoU ~0.74 over the 11 classes on held-out SynthFaces identities at 64 px), then 300
    generator steps (the held-out paired reconstruction error falls to about a quarter of
    its initial value within 100).
    """
    return MaskGuidedConfig(
        system="mask_guided",
        preset="tiny",
        data=DataConfig(image_size=64, shuffle_buffer=256),
        train=TrainConfig(
            steps=1700, batch_size=4, learning_rate=2e-3, log_every=50, checkpoint_every=500
        ),
        model=MaskGuidedModelConfig(
            base_filters=16,
            feature_channels=16,
            residual_blocks=2,
            downsamplings=3,
            local_base_filters=16,
            local_max_filters=64,
            local_downsamplings=2,
            latent_dim=64,
            discriminator_base_filters=16,
            discriminator_layers=2,
            parser_base_filters=16,
            parser_depth=4,
            parser_pretrain_steps=1400,
            # (max_c f_c / f_c)^(1/2) of the SynthFaces class pixel frequencies at 64 px.
            parser_class_weights=(1.0, 2.1, 36.6, 32.6, 21.1, 19.3, 11.1, 28.0, 44.2, 27.4, 2.5),
            parser_learning_rate=3e-3,
        ),
    )
