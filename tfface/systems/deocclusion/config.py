"""Config of `deocclusion`: face de-occlusion of Yin 2022 chapter 5 (N_S, N_R, N_G).

Every number the thesis prints is a default here (methods/deocclusion.md cites the lines);
the sizes it leaves open are ours (methods B8, B10), documented per field.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, TrainConfig
from tfface.config.model_config import (
    AdamConfig,
    ModelConfig,
    SystemConfig,
    fraction,
    non_negative,
    positive,
    unit_interval,
)
from tfface.networks.conv_blocks import Norm


@dataclasses.dataclass(frozen=True)
class DeocclusionModelConfig(ModelConfig):
    """The three networks, their losses and optimizers.

    Args:
        segmenter_encoder_widths: ResNet-18 stage channels of N_S (64, 128, 256, 512).
        segmenter_decoder_widths: U-Net decoder channels, deepest first (B8: 256, 128, 64, 64).
        segmenter_head_filters: full-resolution channels before the logit (B8: 32).
        segmenter_norm: N_S normalisation ("batch": synchronised over replicas, ResNet's).
        dice_weight, bce_weight: Eq. 5.3 + Eq. 5.4 (1:1, B8).
        hard_fraction: OHEM fraction of pixels kept in the BCE and the SSIM loss (B8: 0.25).
        mask_threshold: N_S probability above which a pixel is visible face (0.5).
        reconstructor_backbone, reconstructor_filters: N_R, the face_reconstruction regressor
            (Deng et al.: "resnet50"; "small" strided CNN for tests).
        reconstruction_checkpoint: a face_reconstruction checkpoint (`tfface train
            face_reconstruction` run) whose regressor initialises N_R ("" = random init);
            its backbone and filters must match.
        morphable_model: the `.npz` morphable model of N_R's coefficients; "" = the dataset's
            `morphable_model.npz` (a `--coefficients` SynthFaces job writes it).
        coefficient_weight, photometric_weight, landmark_weight: N_R's loss weights
            (face_reconstruction's terms, Eq. 5.5, 5.6, 5.8).
        generator_widths: N_G stem and encoder stage channels (B10: 64, 128, 256, 512).
        generator_bottleneck_blocks: gated residual blocks at N_G's bottleneck (B10: 6).
        generator_attention: self-attention at the bottleneck (thesis: yes).
        discriminator_widths: VGG-shaped D stage channels (B10: 64, 128, 256, 512, 512).
        generator_inputs: where N_G's training inputs M_f, I_m, M_m come from: "data" (the
            exact visible-face mask and the render of the record's coefficients: fast,
            SynthFaces; the renders are computed once and kept in memory, about 7 floats a
            pixel per record, so for small datasets) or "networks" (frozen N_S and N_R on the
            occluded input, as at inference: methods B11).
        generator_start_step: steps that train only N_S and N_R before N_G and D join (the
            thesis trains N_S, N_R, then N_G; with generator_inputs="networks" N_G needs them).
        pixel_weight, ssim_weight, background_weight, identity_weight, tv_weight,
            adversarial_weight: Eq. 5.15 (10, 5, 5, 0.2, 0.1, 0.01).
        erosion: pixels M_m and 1 - M_m are eroded by for L_sm and L_bg (B14: 5 at 256 px).
        poisson_iterations: conjugate-gradient iterations of the Poisson blend I_p (Eq. 5.11).
        identity_model: a frozen face-embedding network (.keras or SavedModel, [-1, 1] images
            -> embeddings) for L_id; "" = no identity loss.
        segmenter_learning_rate: N_S Adam rate (1e-4, betas 0.9, 0.999; L1877).
        reconstructor_learning_rate: N_R Adam rate (1e-4, betas 0.9, 0.999).
        generator_learning_rate: N_G and D Adam rate (1e-4, betas 0.5, 0.999; L1884).
        generator_beta_1: N_G and D Adam beta_1 (0.5).
    """

    segmenter_encoder_widths: tuple[int, ...] = positive((64, 128, 256, 512))
    segmenter_decoder_widths: tuple[int, ...] = positive((256, 128, 64, 64))
    segmenter_head_filters: int = positive(32)
    segmenter_norm: Norm = "batch"
    dice_weight: float = non_negative(1.0)
    bce_weight: float = non_negative(1.0)
    hard_fraction: float = fraction(0.25)
    mask_threshold: float = unit_interval(0.5)
    reconstructor_backbone: Literal["resnet50", "small"] = "resnet50"
    reconstructor_filters: tuple[int, ...] = positive((16, 32, 64, 128))
    reconstruction_checkpoint: str = ""
    morphable_model: str = ""
    coefficient_weight: float = non_negative(1.0)
    photometric_weight: float = non_negative(1.92)
    landmark_weight: float = non_negative(80.0)
    generator_widths: tuple[int, ...] = positive((64, 128, 256, 512))
    generator_bottleneck_blocks: int = positive(6)
    generator_attention: bool = True
    discriminator_widths: tuple[int, ...] = positive((64, 128, 256, 512, 512))
    generator_inputs: Literal["data", "networks"] = "networks"
    generator_start_step: int = non_negative(0)
    pixel_weight: float = non_negative(10.0)
    ssim_weight: float = non_negative(5.0)
    background_weight: float = non_negative(5.0)
    identity_weight: float = non_negative(0.2)
    tv_weight: float = non_negative(0.1)
    adversarial_weight: float = non_negative(0.01)
    erosion: int = non_negative(5)
    poisson_iterations: int = positive(2000)
    identity_model: str = ""
    segmenter_learning_rate: float = positive(1e-4)
    reconstructor_learning_rate: float = positive(1e-4)
    generator_learning_rate: float = positive(1e-4)
    generator_beta_1: float = unit_interval(0.5)

    def validate(self) -> None:
        """Sizes the networks can take."""
        if len(self.segmenter_encoder_widths) != 4 or len(self.segmenter_decoder_widths) != 4:
            raise ConfigError(
                "model.segmenter_encoder_widths and model.segmenter_decoder_widths need 4 "
                "entries each (ResNet-18's stages)"
            )
        if not self.generator_widths or not self.discriminator_widths:
            raise ConfigError("model.generator_widths and model.discriminator_widths need entries")
        if self.hard_fraction <= 0:
            raise ConfigError(
                f"model.hard_fraction must lie in (0, 1] (OHEM keeps that fraction of pixels), "
                f"got {self.hard_fraction}"
            )
        if self.reconstructor_backbone == "small" and not self.reconstructor_filters:
            raise ConfigError("model.reconstructor_filters needs at least one entry")
        size = self.image_size
        if size is None:
            return
        checks = (
            ("the ResNet-18 U-Net", 32),
            ("the generator", 2 ** (len(self.generator_widths) - 1)),
            ("the discriminator", 2 ** len(self.discriminator_widths)),
        )
        for network, multiple in checks:
            if size % multiple:
                raise ConfigError(
                    f"model.image_size {size}: {network} needs a multiple of {multiple}"
                )
        if size < 32 + 2 * self.erosion:
            raise ConfigError(f"model.image_size {size} is too small for erosion {self.erosion}")

    def optimizers(self) -> dict[str, AdamConfig]:
        """One Adam per optimizer group (section 5.4.1 of the thesis)."""
        generator = AdamConfig(self.generator_learning_rate, self.generator_beta_1, 0.999)
        return {
            "segmenter": AdamConfig(self.segmenter_learning_rate, 0.9, 0.999),
            "reconstructor": AdamConfig(self.reconstructor_learning_rate, 0.9, 0.999),
            "generator": generator,
            "discriminator": generator,
        }


@dataclasses.dataclass(frozen=True)
class DeocclusionConfig(SystemConfig):
    """Experiment config of `tfface train deocclusion`."""

    model: DeocclusionModelConfig = dataclasses.field(default_factory=DeocclusionModelConfig)


def preset_config(
    preset: str, data: DataConfig, train: TrainConfig, model: DeocclusionModelConfig
) -> DeocclusionConfig:
    """The deocclusion experiment config named `preset`."""
    return DeocclusionConfig(
        system="deocclusion", preset=preset, data=data, train=train, model=model
    )


def paper() -> DeocclusionConfig:
    """Yin 2022 sec. 5.4.1: 256 px, batch 4 (N_G's), N_S and N_R first (their 30 and 50
    epochs at batch 16 are ~56k and ~312k steps; one system shares one batch, so N_S and N_R
    get 100k steps at batch 4 before N_G joins), N_G inputs from the frozen N_S and N_R."""
    return preset_config(
        "paper",
        DataConfig(image_size=256),
        TrainConfig(steps=2_100_000, batch_size=4, learning_rate=1e-4),
        DeocclusionModelConfig(generator_inputs="networks", generator_start_step=100_000),
    )


def tiny() -> DeocclusionConfig:
    """64 px, small widths, batch 8, all networks from step 0 on the data's exact masks and
    renders: tests, smoke runs and the learning check. Adam rates 1e-3 (N_S 6e-3): a few
    hundred steps; per-example "layer" norm in N_S; erosion 1 px at 64 px; 60 Poisson
    iterations."""
    model = DeocclusionModelConfig(
        segmenter_encoder_widths=(8, 16, 32, 64),
        segmenter_decoder_widths=(32, 16, 8, 8),
        segmenter_head_filters=8,
        segmenter_norm="layer",
        reconstructor_backbone="small",
        reconstructor_filters=(16, 32, 64, 128, 128),
        coefficient_weight=0.2,
        landmark_weight=400.0,
        generator_widths=(16, 32, 64),
        generator_bottleneck_blocks=2,
        discriminator_widths=(16, 32, 64),
        generator_inputs="data",
        erosion=1,
        poisson_iterations=60,
        segmenter_learning_rate=6e-3,
        reconstructor_learning_rate=1e-3,
        generator_learning_rate=1e-3,
    )
    schedule = TrainConfig(
        steps=300, batch_size=8, learning_rate=1e-3, log_every=50, checkpoint_every=100
    )
    return preset_config("tiny", DataConfig(image_size=64, shuffle_buffer=64), schedule, model)
