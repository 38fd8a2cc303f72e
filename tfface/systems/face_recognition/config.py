"""Config of `face_recognition`: the IR-ResNet + ArcFace network of Yin 2022 sec. 4.4.3.

Yin 2022 (Table 4.1, "Data augmentation") trains "ResNet18 for the backbone and ArcFace for
the loss function" on CASIA-WebFace at 112 px and reports LFW-style verification accuracy
and AUC; the other settings follow Zhou et al. and are not printed. The numbers below are
ArcFace's (Deng et al. CVPR 2019: s = 64, m = 0.5, 512-d embedding, BN-dropout-FC-BN
output); the optimizer is the kit's Adam (ArcFace: SGD 0.1 with momentum), our choice.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, ModelConfig, SystemConfig, TrainConfig
from tfface.config.model_config import non_negative, positive, unit_interval
from tfface.networks.ir_resnet import BLOCKS_PER_DEPTH


@dataclasses.dataclass(frozen=True)
class FaceRecognitionModelConfig(ModelConfig):
    """The embedding network, its class head and the margin loss.

    Args:
        depth: "resnet18" (Yin 2022), "resnet34" or "resnet50" (IR-50 of ArcFace): the
            blocks per stage (`tfface.networks.ir_resnet.BLOCKS_PER_DEPTH`).
        blocks: blocks per stage overriding `depth` (() = depth's; tiny presets).
        filters: channels of the four stages (64, 128, 256, 512).
        stem_filters: channels of the input convolution (64).
        embedding_size: D of the L2-normalised embedding (512).
        dropout: before the embedding's fully connected layer (0.4, ArcFace on CASIA).
        margin_form: "arcface" (additive angular margin), "cosface" (additive cosine
            margin) or "softmax" (normalised softmax, no margin).
        scale: s of the logits (64).
        margin: m: 0.5 radians for ArcFace; CosFace's paper uses 0.35.
        easy_margin: ArcFace: margin only where cos(theta) > 0 (default: the cos(theta) -
            m sin(m) fallback beyond theta = pi - m).
        identities: classes of the head; 0 = from the training data (the largest
            `identity` label + 1, read when the system is built).
        flip: random horizontal flips of the training images (augmentation).
    """

    depth: Literal["resnet18", "resnet34", "resnet50"] = "resnet18"
    blocks: tuple[int, ...] = positive(())
    filters: tuple[int, ...] = positive((64, 128, 256, 512))
    stem_filters: int = positive(64)
    embedding_size: int = positive(512)
    dropout: float = unit_interval(0.4)
    margin_form: Literal["arcface", "cosface", "softmax"] = "arcface"
    scale: float = positive(64.0)
    margin: float = non_negative(0.5)
    easy_margin: bool = False
    identities: int = non_negative(0)
    flip: bool = True

    @property
    def stage_blocks(self) -> tuple[int, ...]:
        """The blocks per stage: `blocks`, else those of `depth`."""
        return self.blocks or BLOCKS_PER_DEPTH[self.depth]

    def validate(self) -> None:
        """One filter count per stage; the image halves once per stage; ArcFace m < pi/2."""
        stages = len(self.stage_blocks)
        if len(self.filters) != stages:
            raise ConfigError(
                f"model.filters needs one entry per stage ({stages}), got {self.filters}"
            )
        if self.image_size is not None and self.image_size % 2**stages:
            raise ConfigError(
                f"model.image_size must be a multiple of {2**stages}, got {self.image_size}"
            )
        if self.margin_form == "arcface" and self.margin >= 1.5707963:
            raise ConfigError(f"model.margin must be < pi/2 for ArcFace, got {self.margin}")


@dataclasses.dataclass(frozen=True)
class FaceRecognitionConfig(SystemConfig):
    """Experiment config of `tfface train face_recognition`."""

    model: FaceRecognitionModelConfig = dataclasses.field(
        default_factory=FaceRecognitionModelConfig
    )


def paper() -> FaceRecognitionConfig:
    """Yin 2022 sec. 4.4.3: ResNet-18 + ArcFace (s 64, m 0.5), 112 px aligned faces;
    batch 128 and Adam 5e-4 for 200k steps are ours (the thesis follows Zhou et al.)."""
    return FaceRecognitionConfig(
        system="face_recognition",
        preset="paper",
        model=FaceRecognitionModelConfig(depth="resnet18", margin_form="arcface"),
        data=DataConfig(image_size=112),
        train=TrainConfig(steps=200000, batch_size=128, learning_rate=5e-4),
    )


def tiny() -> FaceRecognitionConfig:
    """64 px, one block per stage, narrow, 64-d embedding, s 16 (a few identities need a
    smaller scale), no dropout: tests, smoke runs and the learning check."""
    return FaceRecognitionConfig(
        system="face_recognition",
        preset="tiny",
        data=DataConfig(image_size=64, shuffle_buffer=256),
        train=TrainConfig(steps=300, batch_size=16, learning_rate=2e-3, log_every=50),
        model=FaceRecognitionModelConfig(
            blocks=(1, 1, 1, 1),
            filters=(16, 32, 48, 64),
            stem_filters=16,
            embedding_size=64,
            dropout=0.0,
            scale=16.0,
            margin=0.3,
        ),
    )
