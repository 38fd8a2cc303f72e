"""Config of `uv_completion`: UV sampler + UV generator of Yin 2022 chapter 4.

Every number the thesis gives is a default here (Adam 1e-4 with betas 0.5 and 0.999,
batch 6, 256 px images and UV maps, 100K sampler steps then 150K generator steps, section
4.4); what it leaves open follows shared/methods/uv_completion.md (decisions A1-A22, cited
by letter).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, TrainConfig
from tfface.config import model_config as fields


@dataclasses.dataclass(frozen=True)
class UvCompletionModelConfig(fields.ModelConfig):
    """Networks, losses and optimizers of the UV completion system.

    Args:
        uv_size: side U of the UV maps (256, section 4.4).
        morphable_model: the `.npz` morphable model of the data's coefficients ("" = the
            dataset's `morphable_model.npz`, written by `synthfaces --coefficients`).
        identity_model: frozen face-embedding network for L_id (Eq. 4.10); "" = off (A14).
        mask_erosion: pixels m_gt is eroded by before UV_gt is sampled; -1 = 5 px at 256 px,
            scaled with the image size (A4).
        use_sampler: False is the ablation of Fig. 4.7: the generator completes the
            traditional UV_gt (and its valid map) instead of the sampler's UV_spl.
        partial_discriminators: False is the ablation of Fig. 4.8 (no D_ctr, no D_sd).
        stem_filters: the encoder's 7 x 7 stem (64, A5).
        encoder_filters: one spectral-normalised residual stage per entry, each halving the
            size (64-128-256-512-512, A5).
        feature_dim: the encoder's 1-D feature (512, section 4.3.1).
        fpn_filters: lateral channels of the segmentation FPN (128, A5).
        sampler_hidden: units of the sampler head's hidden FC + ReLU layer (1024, A5).
        sampler_grid_size: side of the sampling grid the head outputs, bilinearly upsampled
            to U (A5: 256 = as printed, 134M weights; smaller is the documented option).
        generator_filters: the U-Net encoder's stride-2 4 x 4 convolutions (64-128-256-512-
            512-512, A8); the decoder mirrors them with skips at every scale.
        attention_size: size of the U-Net decoder map that gets self-attention (32, A8; 0 =
            none).
        discriminator_filters: of each SN PatchGAN (64-128-256-512, strides 2-2-2-1, A9).
        coefficient_head: a dense head on the encoder's 1-D feature that predicts the 3DMM
            coefficients, trained with the sampler against the data's coefficients: the
            shape and pose `render_pose` needs at inference (ours; the thesis uses the
            regressor of Deng et al. [3], A19).
        sampler_uv_weight, sampling_map_weight, segmentation_weight: the three terms of
            Eq. 4.3 (1 each).
        sampler_tv_weight: lambda of Eq. 4.3 (0.1, A13).
        coefficient_weight: of the coefficient head's L2 (per coefficient part mean).
        uv_reconstruction_weight, face_reconstruction_weight: the two L1 terms of Eq. 4.8.
        adversarial_weight, symmetry_weight, identity_weight, tv_weight: lambda_1-4 of
            Eq. 4.11 (0.01, 0.1, 0.2, 0.1, A13); symmetry_weight 0 is the no-symmetry ablation.
        max_novel_yaw: the novel view I1R has a yaw drawn in [-max, max] degrees (A12).
        frontal_yaw, profile_yaw: |yaw| below / above which an image supplies a real centre
            / side crop (10, 30 degrees, A10).
        crop_coverage: fraction of a crop's texels that must be valid in UV_gt for it to be
            a real partial crop (0.95, A10); its holes are filled from the mirror, then by
            the nearest valid texel.
        face_rows: (v0, v1) the rows of the face in the UV layout, as fractions of U.
        centre_columns: (u0, u1) of the centre crop UV_ctr (A10: 0.25, 0.75).
        side_start: u0 of the side crop UV_sd = [u0, 0.5]; the right half [0.5, 1 - u0]
            is mirrored onto it (A10: 0).
        sampler_steps: steps of stage 1 (sampler pre-training, 100K); then the generator
            and discriminators train with the sampler frozen (150K, section 4.4).
        adversarial_form: `tfface.losses.adversarial` mode (Eq. 4.7 is the log form:
            non-saturating for G).
        learning_rate, beta_1, beta_2: Adam of every network (1e-4, 0.5, 0.999).
    """

    uv_size: int = fields.positive(256)
    morphable_model: str = ""
    identity_model: str = ""
    mask_erosion: int = -1
    use_sampler: bool = True
    partial_discriminators: bool = True
    stem_filters: int = fields.positive(64)
    encoder_filters: tuple[int, ...] = fields.positive((64, 128, 256, 512, 512))
    feature_dim: int = fields.positive(512)
    fpn_filters: int = fields.positive(128)
    sampler_hidden: int = fields.positive(1024)
    sampler_grid_size: int = fields.positive(256)
    generator_filters: tuple[int, ...] = fields.positive((64, 128, 256, 512, 512, 512))
    attention_size: int = fields.non_negative(32)
    discriminator_filters: tuple[int, ...] = fields.positive((64, 128, 256, 512))
    coefficient_head: bool = True
    sampler_uv_weight: float = fields.non_negative(1.0)
    sampling_map_weight: float = fields.non_negative(1.0)
    segmentation_weight: float = fields.non_negative(1.0)
    sampler_tv_weight: float = fields.non_negative(0.1)
    coefficient_weight: float = fields.non_negative(1.0)
    uv_reconstruction_weight: float = fields.non_negative(1.0)
    face_reconstruction_weight: float = fields.non_negative(1.0)
    adversarial_weight: float = fields.non_negative(0.01)
    symmetry_weight: float = fields.non_negative(0.1)
    identity_weight: float = fields.non_negative(0.2)
    tv_weight: float = fields.non_negative(0.1)
    max_novel_yaw: float = fields.non_negative(60.0)
    frontal_yaw: float = fields.non_negative(10.0)
    profile_yaw: float = fields.non_negative(30.0)
    crop_coverage: float = fields.fraction(0.95)
    face_rows: tuple[float, ...] = (0.25, 0.75)
    centre_columns: tuple[float, ...] = (0.25, 0.75)
    side_start: float = fields.unit_interval(0.0)
    sampler_steps: int = fields.non_negative(100000)
    adversarial_form: Literal["non_saturating", "least_squares", "hinge"] = "non_saturating"
    learning_rate: float = fields.positive(1e-4)
    beta_1: float = fields.unit_interval(0.5)
    beta_2: float = fields.unit_interval(0.999)

    def validate(self) -> None:
        """Windows inside [0, 1] and ordered, sizes that the networks can halve."""
        for name in ("face_rows", "centre_columns"):
            window = getattr(self, name)
            if len(window) != 2 or not 0.0 <= window[0] < window[1] <= 1.0:
                raise ConfigError(f"model.{name} must be (start, end) with 0 <= start < end <= 1")
        if self.side_start >= 0.5:
            raise ConfigError(f"model.side_start must be < 0.5, got {self.side_start}")
        if self.mask_erosion < -1:
            raise ConfigError(
                f"model.mask_erosion must be >= 0 or -1 (auto), got {self.mask_erosion}"
            )
        if not self.encoder_filters or not self.generator_filters:
            raise ConfigError("model.encoder_filters and model.generator_filters need entries")
        if self.uv_size % 2 ** len(self.generator_filters):
            raise ConfigError(
                f"model.uv_size {self.uv_size} must be a multiple of 2^{len(self.generator_filters)} "
                "(the generator halves it once per model.generator_filters entry)"
            )
        if self.image_size is not None and self.image_size % 2 ** len(self.encoder_filters):
            raise ConfigError(
                f"model.image_size {self.image_size} must be a multiple of "
                f"2^{len(self.encoder_filters)} (one halving per model.encoder_filters entry)"
            )
        if self.frontal_yaw > self.profile_yaw:
            raise ConfigError("model.frontal_yaw must not exceed model.profile_yaw")


@dataclasses.dataclass(frozen=True)
class UvCompletionConfig(fields.SystemConfig):
    """Experiment config of `tfface train uv_completion`."""

    model: UvCompletionModelConfig = dataclasses.field(default_factory=UvCompletionModelConfig)


def paper() -> UvCompletionConfig:
    """Section 4.4: 256 px, UV 256, batch 6, Adam 1e-4 (0.5, 0.999), 100K sampler steps
    then 150K generator steps."""
    return UvCompletionConfig(
        system="uv_completion",
        preset="paper",
        data=DataConfig(image_size=256),
        train=TrainConfig(steps=250000, batch_size=6, learning_rate=1e-4),
    )


def ablation(preset: str, **changes) -> UvCompletionConfig:
    """The paper preset with `changes` to the model (section 4.5's ablations)."""
    config = paper()
    return dataclasses.replace(
        config, preset=preset, model=dataclasses.replace(config.model, **changes)
    )


def no_sampler() -> UvCompletionConfig:
    """Fig. 4.7: the traditional UV_gt instead of the sampler's output."""
    return ablation("no_sampler", use_sampler=False)


def no_partial_discriminators() -> UvCompletionConfig:
    """Fig. 4.8: without D_ctr and D_sd."""
    return ablation("no_partial_discriminators", partial_discriminators=False)


def no_symmetry() -> UvCompletionConfig:
    """Without the symmetry loss (Eq. 4.9)."""
    return ablation("no_symmetry", symmetry_weight=0.0)


def tiny() -> UvCompletionConfig:
    """64 px, UV 64, tiny widths, batch 4, Adam 2e-3, 30 sampler steps then 70 generator
    steps: tests, smoke runs and the learning check (at 2e-3 its 100 steps beat the mirror
    fill as clearly as 200 steps at 1e-3 did; tests/systems/test_uv_completion_learning.py).
    Crop windows fitted to SynthFaces' layout (its face fills the middle of the UV map),
    profile from 25 degrees and 90 % crop coverage, so SynthFaces' 0 / 30-degree views supply
    real centre / side crops at 64 px."""
    small = ablation(
        "tiny",
        uv_size=64,
        stem_filters=8,
        encoder_filters=(8, 16, 32, 32),
        feature_dim=32,
        fpn_filters=8,
        sampler_hidden=64,
        sampler_grid_size=16,
        generator_filters=(16, 32, 64, 64),
        attention_size=8,
        discriminator_filters=(8, 16, 32),
        profile_yaw=25.0,
        crop_coverage=0.9,
        face_rows=(0.35, 0.7),
        centre_columns=(0.4, 0.6),
        side_start=0.3,
        sampler_steps=30,
        learning_rate=2e-3,
    )
    return dataclasses.replace(
        small,
        data=DataConfig(image_size=64, shuffle_buffer=64),
        train=TrainConfig(
            steps=100, batch_size=4, learning_rate=2e-3, log_every=50, checkpoint_every=100
        ),
    )
