"""Configuration of `pose_editing` (Yin 2022 ch. 3: Pixel Attention Sampling + U-Net inpainting).

What the thesis prints (methods/pose_editing.md sec. 1): 128 x 128 crops, Adam 1e-4 with
betas (0.9, 0.999), the inpainter pre-trained (20k iterations) before joint training (110k),
the loss weights 1 except the 0.1 self-reconstruction weight of Eq. 3.1, the hinge
projection discriminator (Eq. 3.14), VGG-Face perceptual layers {3, 8, 15, 22, 29}.
What it leaves open and we chose (methods/pose_editing.md sec. 4; every choice is a field):

- sizes at 128 px: PAS embedder = five stride-2 4x4 convolutions 64-128-256-512-512, each
  with conditional instance norm on the target landmarks and LeakyReLU 0.2, self-attention
  at 32 and 16 px, Dense 512; sampler Dense 1024 + ReLU -> Dense H W 2 (zero-initialised,
  added to the identity grid: an STN-style start). The U-Net uses the same encoder and a
  symmetric decoder (nearest upsampling + 3x3 conv, CIN, ReLU, a skip at every scale, tanh).
- batch 16; lambda of Eq. 3.9 = 0.1; a stop-gradient between PAS and the inpainter.
- perceptual: ImageNet VGG16 relu1_2..relu5_3 (VGG-Face is not in keras.applications),
  per-layer mean |difference| summed.
- the unpaired occlusion branch (S_occ) uses the pair's source image with 1-3 random
  zero-filled rectangles over 10-40 % of the area.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, ModelConfig, SystemConfig, TrainConfig
from tfface.config.model_config import fraction, non_negative, positive, unit_interval

MAX_TARGET_YAW = 90.0
"""Target yaws of `rotate_to_angles` lie in [-90, 90] degrees (> 0 turns to the image's right)."""
MAX_TARGET_PITCH = 60.0
"""Target pitches of `rotate_to_angles` lie in [-60, 60] degrees."""


@dataclasses.dataclass(frozen=True)
class PoseEditingModelConfig(ModelConfig):
    """Networks, loss weights and schedule of `pose_editing` (Yin 2022 sec. 3.3-3.4).

    Args:
        image_size, ema_decay: see `ModelConfig` (the EMA averages PAS and the inpainter).
        pas: train and use Pixel Attention Sampling (False: the ablation of L1398, the
            U-Net inpaints the aligned input directly).
        sampling_map: "residual" (identity grid + predicted offsets, last layer zero) or
            "absolute" (tanh of the predicted coordinates).
        base_filters / max_filters: filters of the first stride-2 convolution and their cap
            (PAS embedder, U-Net encoder and discriminator).
        downsamplings: stride-2 convolutions of the PAS embedder and the U-Net encoder (5).
        attention_sizes: feature-map sizes (pixels) after which the PAS embedder applies
            SAGAN self-attention (32, 16 at 128 px).
        embedding_size: the PAS embedding (512).
        sampler_hidden: units of the sampler's hidden Dense + ReLU (1024).
        discriminator_layers: stride-2 SN convolutions of the projection discriminator.
        landmark_filters: filters of the first convolution of our landmark estimator.
        reconstruction_weight: lambda of Eqs. 3.1 and 3.9 (0.1).
        segmentation_weight: Dice L_seg (Eq. 3.3) in L_sampler.
        perceptual_weight: L_per (Eqs. 3.4-3.5, 3.10); 0 = no VGG16 is loaded.
        tv_weight: L_tv (Eq. 3.6).
        identity_weight: L_id (Eq. 3.11), used only with an identity_model.
        adversarial_weight: L_adv (Eq. 3.12).
        occluded_reconstruction: the unpaired branch S_occ -> S_recon (Eq. 3.9's third term).
        occlusion_fraction: (min, max) of the occluded area of S_occ.
        segmentation_background: include the background class in the Dice sum.
        perceptual_weights: "imagenet" (VGG16 from keras.applications / $TFFACE_WEIGHTS_DIR),
            "random" (tests) or a path to VGG16 notop weights (e.g. converted VGG-Face).
        identity_model: frozen face-embedding network F of L_id (`.keras` or SavedModel,
            images in [-1, 1]); "" = no identity loss and a landmark-only condition.
        identity_condition: with an identity_model, its embedding of the input face, through
            a trainable Dense initialised to the identity (the fine-tuned last FC layer),
            joins the flattened target landmarks as the CIN condition of the U-Net's
            decoder (L1303-1305; the identity network then needs to be a `.keras` file and
            goes into checkpoints and exports); False: the identity network serves L_id only.
        landmark_model: a face_reconstruction export (`<base>/<name>` or one version) whose
            `landmarks` signature gives the 3D landmarks of records without them (real
            photos: Multi-PIE pairs, model.unpaired_data's images); "" = records' own only.
        unpaired_data: a data folder of single face images (CelebA-style: image_folder,
            celebamask_hq or wild_faces jobs) for the unpaired branch: S_occ is one of them
            occluded; "" = the pair's source.
        pretrain_steps: steps of inpainter pre-training (occlusion reconstruction only)
            before the joint training (thesis: 20k of 130k).
        reverse_fraction: fraction of frontal pairs used in reverse (frontal -> side view),
            so frontal pairs train editing to any pose.
        beta_1, beta_2: Adam betas of every network (0.9, 0.999); the rate is
            train.learning_rate (1e-4).
        template_scale: the frontal template is stored divided by this (it learns this
            much faster than the other weights under the same Adam).
    """

    pas: bool = True
    sampling_map: Literal["residual", "absolute"] = "residual"
    base_filters: int = positive(64)
    max_filters: int = positive(512)
    downsamplings: int = positive(5)
    attention_sizes: tuple[int, ...] = positive((32, 16))
    embedding_size: int = positive(512)
    sampler_hidden: int = positive(1024)
    discriminator_layers: int = positive(5)
    landmark_filters: int = positive(32)
    reconstruction_weight: float = non_negative(0.1)
    tv_weight: float = non_negative(1.0)
    segmentation_weight: float = non_negative(1.0)
    segmentation_background: bool = False
    perceptual_weight: float = non_negative(1.0)
    perceptual_weights: str = "imagenet"
    identity_weight: float = non_negative(1.0)
    identity_model: str = ""
    identity_condition: bool = True
    landmark_model: str = ""
    unpaired_data: str = ""
    adversarial_weight: float = non_negative(1.0)
    occluded_reconstruction: bool = True
    occlusion_fraction: tuple[float, float] = fraction((0.1, 0.4))
    pretrain_steps: int = non_negative(20000)
    reverse_fraction: float = fraction(0.5)
    template_scale: float = positive(100.0)
    beta_1: float = unit_interval(0.9)
    beta_2: float = unit_interval(0.999)

    def validate(self) -> None:
        """Sizes must survive the downsamplings; pre-training needs the occlusion branch."""
        if self.pretrain_steps > 0 and not self.occluded_reconstruction:
            raise ConfigError(
                "model.pretrain_steps > 0 pre-trains the inpainter on occluded images: set "
                "model.occluded_reconstruction: true or model.pretrain_steps: 0"
            )
        if self.unpaired_data and not self.occluded_reconstruction:
            raise ConfigError(
                "model.unpaired_data feeds the occluded-unpaired branch: set "
                "model.occluded_reconstruction: true or model.unpaired_data: ''"
            )
        low, high = self.occlusion_fraction
        if not 0.0 < low <= high < 1.0:
            raise ConfigError(
                f"model.occlusion_fraction must be (low, high) with 0 < low <= high < 1, got "
                f"{self.occlusion_fraction}"
            )
        if self.image_size is None:
            return
        size, problems = self.image_size, []
        if size % 2**self.downsamplings or size // 2**self.downsamplings < 2:
            problems.append(
                f"image size {size} must be divisible by 2^model.downsamplings "
                f"({2**self.downsamplings}) and leave at least 2 x 2 pixels"
            )
        if size < 2**self.discriminator_layers:
            problems.append(
                f"model.discriminator_layers = {self.discriminator_layers} halve image size "
                f"{size} below 1 pixel"
            )
        if problems:
            raise ConfigError("; ".join(problems))


@dataclasses.dataclass(frozen=True)
class PoseEditingConfig(SystemConfig):
    """Experiment config of `tfface train pose_editing` (the `model` section above)."""

    model: PoseEditingModelConfig = dataclasses.field(default_factory=PoseEditingModelConfig)


PAPER_TRAINING = TrainConfig(steps=130000, batch_size=16, learning_rate=1e-4, checkpoint_every=5000)
"""Yin 2022 sec. 3.4: 20k inpainter pre-training + 110k joint steps, Adam 1e-4; batch 16 (ours)."""


def paper() -> PoseEditingConfig:
    """Yin 2022 sec. 3.4 at 128 px with PAS (`PAPER_TRAINING`; Adam betas 0.9, 0.999)."""
    return PoseEditingConfig(
        train=PAPER_TRAINING, data=DataConfig(image_size=128), preset="paper", system="pose_editing"
    )


def paper_no_pas() -> PoseEditingConfig:
    """The ablation of L1398: the `paper` preset without PAS (the U-Net on the aligned input)."""
    config = paper()
    return dataclasses.replace(
        config, preset="paper_no_pas", model=dataclasses.replace(config.model, pas=False)
    )


def tiny() -> PoseEditingConfig:
    """64 px, few filters, batch 4, 20 pre-training steps: tests, smoke runs and the demo.

    Learning rate 1e-3 (the paper's 1e-4 needs thousands of steps), no VGG16 by default
    (perceptual_weight 0: nothing to download; tests switch it on with random weights) and
    adversarial weight 0.1: at this scale the hinge term at weight 1 dominates the first
    hundreds of steps and the U-Net's output is then worse than its input (measured: masked
    face L1 0.50 vs 0.23 of the PAS-sampled input after 150 steps; 0.23 with 0.1).
    """
    model = PoseEditingModelConfig(
        base_filters=8,
        max_filters=32,
        downsamplings=4,
        attention_sizes=(8,),
        embedding_size=64,
        sampler_hidden=64,
        discriminator_layers=3,
        landmark_filters=8,
        perceptual_weight=0.0,
        perceptual_weights="random",
        pretrain_steps=20,
        adversarial_weight=0.1,
    )
    training = TrainConfig(
        steps=300, batch_size=4, learning_rate=1e-3, log_every=50, checkpoint_every=100
    )
    data = DataConfig(image_size=64, shuffle_buffer=256)
    return PoseEditingConfig(
        model=model, train=training, data=data, preset="tiny", system="pose_editing"
    )


def tiny_no_pas() -> PoseEditingConfig:
    """`tiny` without PAS (the ablation at test scale)."""
    config = tiny()
    return dataclasses.replace(
        config, preset="tiny_no_pas", model=dataclasses.replace(config.model, pas=False)
    )


PRESETS = {"paper": paper, "paper_no_pas": paper_no_pas, "tiny": tiny, "tiny_no_pas": tiny_no_pas}
"""Preset name -> config factory (`PoseEditingSystem.PRESETS`)."""
