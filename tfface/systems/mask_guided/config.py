"""Configuration of the mask-guided portrait editing system and its `paper` / `tiny` presets."""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, TrainConfig
from tfface.config.model_config import (
    ModelConfig,
    SystemConfig,
    fraction,
    non_negative,
    positive,
    unit_interval,
)

ADVERSARIAL_MODES = {"least_squares": "least_squares", "original": "non_saturating"}
"""`adversarial_form` (YAML value) -> the `mode` of `tfface.losses.adversarial` (see
`MaskGuidedModelConfig`: "original" here is the non-saturating form)."""


@dataclasses.dataclass(frozen=True)
class MaskGuidedModelConfig(ModelConfig):
    """Networks, loss weights and optimiser of the mask-guided system (S1408 thesis ch. 3-4).

    Defaults are the thesis's values (sec. 3.2.5, 4.3.1) where it prints them, pix2pixHD's
    (Wang et al. 2018) where it does not.

    Adversarial form (the one place that maps it): `adversarial_form: original` means the
    thesis's Eq. 3.3 / 3.4 as Gu et al. train it, the NON-SATURATING generator loss
    -log D(G(x)), i.e. `tfface.losses` mode "non_saturating". It is not
    `tfface.losses.adversarial`'s "original" (the saturating minimax log(1 - D(G(x)))).
    `ADVERSARIAL_MODES` holds the mapping; the YAML values stay "least_squares" and
    "original" so existing configs load and train as before.

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
        adversarial_form: "least_squares" (the default, as pix2pixHD) or "original" (Eq. 3.3 /
            3.4 in the non-saturating log form; see above).
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

    base_filters: int = positive(64)
    feature_channels: int = positive(256)
    residual_blocks: int = non_negative(9)
    downsamplings: int = positive(3)
    local_base_filters: int = positive(64)
    local_max_filters: int = positive(512)
    local_downsamplings: int = positive(4)
    latent_dim: int = positive(512)
    local_norm: Literal["instance", "layer", "batch", "none"] = "layer"
    discriminator_base_filters: int = positive(64)
    discriminator_layers: int = positive(3)
    parser_base_filters: int = positive(64)
    parser_depth: int = positive(5)
    parser_norm: Literal["instance", "layer", "batch", "none"] = "batch"
    local_weight: float = non_negative(10.0)
    global_weight: float = non_negative(1.0)
    adversarial_weight: float = non_negative(1.0)
    adversarial_form: Literal["least_squares", "original"] = "least_squares"
    feature_matching_weight: float = non_negative(10.0)
    parsing_weight: float = non_negative(1.0)
    kl_weight: float = non_negative(0.01)
    paired_fraction: float = fraction(0.5)
    parser_pretrain_steps: int = non_negative(10000)
    parser_class_weights: tuple[float, ...] = non_negative(())
    parser_learning_rate: float = positive(2e-4)
    parser_beta_1: float = unit_interval(0.9)
    beta_1: float = unit_interval(0.5)
    beta_2: float = unit_interval(0.999)
    epsilon: float = positive(1e-8)
    decay_start: int | None = non_negative(None)
    eye_pixels_only: bool = False
    multi_target_mask_encoder: bool = False
    vae_local_embeddings: bool = False

    def validate(self) -> None:
        """E_m holds two of the halvings; the image size must halve through G_m and P_F."""
        if self.downsamplings < 2:
            raise ConfigError("model.downsamplings must be >= 2 (two are in E_m)")
        if self.local_downsamplings < 2:
            raise ConfigError("model.local_downsamplings must be >= 2")
        if len(self.parser_class_weights) not in (0, 11):
            raise ConfigError("model.parser_class_weights must be empty or 11 non-negative values")
        for field in ("downsamplings", "parser_depth"):
            if self.image_size is not None and self.image_size % 2 ** getattr(self, field):
                raise ConfigError(
                    f"image size {self.image_size} must be divisible by 2^model.{field}"
                )


@dataclasses.dataclass(frozen=True)
class MaskGuidedConfig(SystemConfig):
    """Experiment config of `tfface train mask_guided` (the `model` section above).

    Its one check across sections: `model.decay_start` lies inside the generator steps
    (train.steps - model.parser_pretrain_steps), where the GAN's learning rate decays.
    """

    model: MaskGuidedModelConfig = dataclasses.field(default_factory=MaskGuidedModelConfig)

    def validate(self) -> None:
        """model.decay_start lies within the generator steps (after the parser's)."""
        generator_steps = self.train.steps - self.model.parser_pretrain_steps
        if self.model.decay_start is not None and 0 < generator_steps <= self.model.decay_start:
            raise ConfigError(
                f"model.decay_start ({self.model.decay_start}) must be less than the generator "
                f"steps (train.steps - model.parser_pretrain_steps = {generator_steps})"
            )


def paper() -> MaskGuidedConfig:
    """S1408 thesis sec. 4.3.1: 256 px, batch 12, Adam 2e-4 (0.5, 0.999, 1e-8), decay to 0."""
    return MaskGuidedConfig(
        system="mask_guided",
        preset="paper",
        train=TrainConfig(
            steps=128000, batch_size=12, learning_rate=2e-4, log_every=100, checkpoint_every=5000
        ),
        data=DataConfig(image_size=256),
        model=MaskGuidedModelConfig(),
    )


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
        train=TrainConfig(
            steps=1700, batch_size=4, learning_rate=2e-3, log_every=50, checkpoint_every=500
        ),
        data=DataConfig(image_size=64, shuffle_buffer=256),
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
