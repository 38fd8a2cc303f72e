"""Configuration of the forward-warping face-rotation system and its `paper` / `tiny` presets.

Sevastopolskiy 2019, sec. 3.3 and 4.1. What the thesis prints for face rotation:
128 x 128 images (sec. 4.1.1), the architectures and parameter counts (sec. 4.1.2), Adam,
and the loss weights {alpha_pix1 = 0.1, alpha_rigidity = 0.01, alpha_pix2 = 1.0,
alpha_adv = 0.1, alpha_gap = 0.05, alpha_identity = 0.1}. What it does not print for face
rotation, and what we chose (documented here, the default of the `paper` preset):

- learning rates and steps: the only ones in the thesis are those of its inpainting
  experiments (sec. 4.2.3): 2e-5 for the generator, 1e-5 for each discriminator, 100,000
  steps; we use them. Adam betas: Adam's defaults (0.9, 0.999), the thesis says only "Adam".
- batch size: not printed; 8.
- filters: chosen so that the parameter counts are close to the printed ones at 128 px:
  warp-field regressor 2.81 M (thesis 3.02 M), inpainter 6.53 M (5.64 M; DeepFill v2's
  48 base filters, the thesis "fully adopts" that network), real/fake discriminator 0.44 M
  (0.54 M), gap discriminator 0.97 M (0.87 M).
- the target pose: the thesis frontalizes. `target_yaw_input` adds a constant channel with
  the target yaw / 90 degrees to the regressor's and the inpainter's inputs (rotation to any
  yaw); `reverse_fraction` of the training pairs are used in the reverse direction (the
  frontal view rotated to the other view), so frontal pairs give any-yaw training.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import (
    ConfigError,
    DataConfig,
    ModelConfig,
    SystemConfig,
    TrainConfig,
    fraction,
    non_negative,
    positive,
    unit_interval,
)
from tfface.losses.gap import GapGeneratorForm
from tfface.networks.conv_blocks import Norm, halved
from tfface.ops.bilinear import Padding
from tfface.ops.warp import Sampler

MAX_TARGET_YAW = 90.0
"""Target yaws lie in [-90, 90] degrees (poses as in `tfface/geometry/camera.py`: yaw > 0 turns to the image's right)."""


@dataclasses.dataclass(frozen=True)
class WarpRotationModelConfig(ModelConfig):
    """Networks, loss weights and optimiser of `warp_rotation` (Sevastopolskiy 2019 sec. 3.3, 4.1.2).

    Args:
        image_size, ema_decay: see `ModelConfig` (the EMA averages f_omega and g_phi).
        sampler: "forward" (forward warping, eqs. 3.4-3.7) or "backward" (eqs. 3.1-3.3): the
            same regressor, its field interpreted as a forward or a backward warp field.
        gap_discriminator: train with the gap discriminator h_xi (sec. 3.2; Table 4.1
            compares FW+GAP, FW and BKWD).
        target_yaw_input: condition the regressor and the inpainter on the target yaw
            (rotation to any yaw); False = frontalization only, as in the thesis.
        reverse_fraction: fraction of the training pairs used in the reverse direction
            (the pair's target view as input, its input view as target); needs
            target_yaw_input when > 0.
        regressor_base_filters / regressor_max_filters: filters of f_omega's first block and
            their cap.
        regressor_blocks: encoder blocks of f_omega (thesis: 6, i.e. 5 max poolings).
        regressor_convolutions: convolution units per block (thesis: 3).
        regressor_norm: normalisation of f_omega (thesis: BatchNorm, synchronised over replicas).
        inpainter_base_filters / inpainter_max_filters: filters of g_phi.
        inpainter_downsamplings: stride-2 gated convolutions of g_phi (DeepFill v2: 2).
        inpainter_dilations: dilation rates of g_phi's bottleneck (DeepFill v2: 2, 4, 8, 16).
        discriminator_base_filters / discriminator_max_filters / discriminator_layers:
            d_psi (thesis: 6 stride-2 convolutions; at least 2).
        gap_base_filters / gap_max_filters / gap_levels: h_xi (thesis: 4 levels).
        warp_weight: alpha_pix1, masked L1 of the warped image (0.1).
        rigidity_weight: alpha_rigidity (0.01).
        inpainting_weight: alpha_pix2, L1 of the inpainted image (1.0).
        identity_weight: alpha_identity (0.1); used only with an identity_model.
        adversarial_weight: alpha_adv (0.1).
        gap_weight: alpha_gap (0.05).
        adversarial_form: "non_saturating" (Eq. 3.10 / 3.11, the sigmoid discriminator) or
            "least_squares" (LSGAN on the sigmoid output, the sec. 3.4 form).
        gap_generator_form: the generator's gap loss: "holes" (sec. 3.3, -log h over the
            holes), "all_pixels" (sec. 3.4) or "zero_sum" (minus Eq. 3.12).
        identity_model: frozen face-embedding network v for L_identity: a `.keras` file or a
            SavedModel directory taking float images in [-1, 1] (a face_recognition network
            or any other); "" disables the identity loss (no such network, as in tests).
        discriminator_learning_rate: Adam learning rate of d_psi and h_xi (the generator uses
            train.learning_rate).
        beta_1, beta_2: Adam parameters of every optimizer.
        backward_padding: "zeros" or "border": outside pixels of the backward sampler.
    """

    sampler: Sampler = "forward"
    gap_discriminator: bool = True
    target_yaw_input: bool = False
    reverse_fraction: float = fraction(0.0)
    regressor_base_filters: int = positive(16)
    regressor_max_filters: int = positive(128)
    regressor_blocks: int = positive(6)
    regressor_convolutions: int = positive(3)
    regressor_norm: Norm = "batch"
    inpainter_base_filters: int = positive(48)
    inpainter_max_filters: int = positive(256)
    inpainter_downsamplings: int = non_negative(2)
    inpainter_dilations: tuple[int, ...] = positive((2, 4, 8, 16))
    discriminator_base_filters: int = positive(16)
    discriminator_max_filters: int = positive(128)
    discriminator_layers: int = positive(6)
    gap_base_filters: int = positive(32)
    gap_max_filters: int = positive(256)
    gap_levels: int = positive(4)
    warp_weight: float = non_negative(0.1)
    rigidity_weight: float = non_negative(0.01)
    inpainting_weight: float = non_negative(1.0)
    identity_weight: float = non_negative(0.1)
    adversarial_weight: float = non_negative(0.1)
    gap_weight: float = non_negative(0.05)
    adversarial_form: Literal["non_saturating", "least_squares"] = "non_saturating"
    gap_generator_form: GapGeneratorForm = "holes"
    identity_model: str = ""
    discriminator_learning_rate: float = positive(1e-5)
    beta_1: float = unit_interval(0.9)
    beta_2: float = unit_interval(0.999)
    backward_padding: Padding = "zeros"

    def validate(self) -> None:
        """Reversed pairs need the target-yaw input; d_psi needs 2 layers; the image size
        must survive every network's poolings."""
        if self.reverse_fraction > 0.0 and not self.target_yaw_input:
            raise ConfigError(
                "model.reverse_fraction > 0 trains rotations away from frontal, which needs "
                "model.target_yaw_input: true"
            )
        if self.discriminator_layers < 2:
            raise ConfigError(
                f"model.discriminator_layers must be >= 2, got {self.discriminator_layers}"
            )
        if self.image_size is None:
            return
        size = self.image_size
        for what, poolings in (
            ("model.regressor_blocks - 1", self.regressor_blocks - 1),
            ("model.inpainter_downsamplings", self.inpainter_downsamplings),
            ("model.gap_levels - 1", self.gap_levels - 1),
        ):
            if size % 2**poolings:
                raise ConfigError(f"image size {size} must be divisible by 2^{what}")
        if halved(size, self.discriminator_layers - 1) < 2:
            raise ConfigError(
                f"image size {size} is too small for model.discriminator_layers = "
                f"{self.discriminator_layers} (the last instance norm would see 1 x 1 maps)"
            )


@dataclasses.dataclass(frozen=True)
class WarpRotationConfig(SystemConfig):
    """Experiment config of `tfface train warp_rotation` (the `model` section above)."""

    model: WarpRotationModelConfig = dataclasses.field(default_factory=WarpRotationModelConfig)


def paper() -> WarpRotationConfig:
    """Thesis 004 sec. 4.1: 128 px frontalization, forward sampler + gap discriminator, the
    printed loss weights; learning rates and steps of sec. 4.2.3 (module docstring)."""
    return WarpRotationConfig(
        system="warp_rotation",
        preset="paper",
        data=DataConfig(image_size=128),
        train=TrainConfig(steps=100000, batch_size=8, learning_rate=2e-5, checkpoint_every=5000),
    )


def tiny() -> WarpRotationConfig:
    """64 px, few filters, batch 4, rotation to any yaw: tests, smoke runs and the demo.

    Larger learning rates than the paper's, so that a few hundred steps on 2 CPU cores (about
    0.15 s a step) teach the inpainter the frontal faces
    (tests/systems/test_warp_rotation_learning.py). The discriminators learn 10x slower than
    the generator (the thesis: 2x): at this scale, with 1e-3 they win within a hundred steps
    and the adversarial term then drives the inpainter to one image for every input.
    """
    return WarpRotationConfig(
        system="warp_rotation",
        preset="tiny",
        data=DataConfig(image_size=64, shuffle_buffer=256),
        train=TrainConfig(
            steps=400, batch_size=4, learning_rate=1e-3, log_every=50, checkpoint_every=100
        ),
        model=WarpRotationModelConfig(
            target_yaw_input=True,
            reverse_fraction=0.5,
            regressor_base_filters=8,
            regressor_max_filters=32,
            regressor_blocks=4,
            regressor_convolutions=2,
            inpainter_base_filters=8,
            inpainter_max_filters=32,
            inpainter_dilations=(2, 4),
            discriminator_base_filters=8,
            discriminator_max_filters=32,
            discriminator_layers=4,
            gap_base_filters=8,
            gap_max_filters=32,
            gap_levels=3,
            discriminator_learning_rate=1e-4,
        ),
    )
