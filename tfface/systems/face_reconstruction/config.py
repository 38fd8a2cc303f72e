"""Config of `face_reconstruction`: the 3DMM regressor of Yin 2022 section 5.3.3.

The regressor of Deng et al. (CVPR-W 2019), as the thesis uses it to fit the 3D face under
occlusions: a ResNet-50 maps an image to the coefficient vector of a morphable model
(`tfface.face3d.coefficients`), trained with the losses of section 5.3 (coefficient L2,
photometric, identity and landmark terms).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, TrainConfig
from tfface.config.model_config import ModelConfig, SystemConfig, non_negative, positive


@dataclasses.dataclass(frozen=True)
class FaceReconstructionModelConfig(ModelConfig):
    """The regressor, its losses and its optimizer.

    Args:
        backbone: "resnet50" (`keras.applications.ResNet50`, random init, as Deng et al.)
            or "small" (`small_filters` strided convolutions: tests and smoke runs).
        small_filters: filters of the small backbone's stride-2 convolutions.
        morphable_model: the `.npz` morphable model (`tfface.face3d.load_morphable_model`)
            whose coefficients the regressor predicts; "" = `<data.data_dir>/
            morphable_model.npz`, the model a `--coefficients` SynthFaces job writes.
        identity_model: a frozen face-embedding network (.keras file or SavedModel,
            float images in [-1, 1] -> embeddings); "" = no identity loss.
        coefficient_weight: weight of the coefficient L2 against the given coefficients.
        photometric_weight: of the photometric loss on face mask x render mask (Deng: 1.92).
        landmark_weight: of the landmark loss, squared distances in image sides (80 =
            Deng's 1.6e-3 on squared pixels of 224 px images).
        identity_weight: of the identity loss (Deng: 0.2); used only with `identity_model`.

    The optimizer is Adam at train.learning_rate (Deng et al.: 1e-4) with its default
    betas (0.9, 0.999).
    """

    backbone: Literal["resnet50", "small"] = "resnet50"
    small_filters: tuple[int, ...] = positive((16, 32, 64, 128))
    morphable_model: str = ""
    identity_model: str = ""
    coefficient_weight: float = non_negative(1.0)
    photometric_weight: float = non_negative(1.92)
    landmark_weight: float = non_negative(80.0)
    identity_weight: float = non_negative(0.2)

    def validate(self) -> None:
        """The small backbone needs at least one convolution; ResNet-50 needs 32 px or more."""
        if self.backbone == "small" and not self.small_filters:
            raise ConfigError("model.small_filters needs at least one entry")
        if self.backbone == "resnet50" and self.image_size is not None and self.image_size < 32:
            raise ConfigError(
                f"model.image_size must be >= 32 for the resnet50 backbone, got {self.image_size}"
            )


@dataclasses.dataclass(frozen=True)
class FaceReconstructionConfig(SystemConfig):
    """Experiment config of `tfface train face_reconstruction`."""

    model: FaceReconstructionModelConfig = dataclasses.field(
        default_factory=FaceReconstructionModelConfig
    )


def preset_config(
    preset: str, data: DataConfig, train: TrainConfig, model: FaceReconstructionModelConfig
) -> FaceReconstructionConfig:
    """The face_reconstruction experiment config named `preset`."""
    return FaceReconstructionConfig(
        system="face_reconstruction", preset=preset, data=data, train=train, model=model
    )


def paper() -> FaceReconstructionConfig:
    """Deng et al. 2019 as used by Yin 2022 sec. 5.3.3: ResNet-50, 224 px, batch 32, Adam 1e-4."""
    return preset_config(
        "paper",
        DataConfig(image_size=224),
        TrainConfig(steps=500000, batch_size=32, learning_rate=1e-4),
        FaceReconstructionModelConfig(backbone="resnet50"),
    )


def tiny() -> FaceReconstructionConfig:
    """64 px, the small backbone (five halvings), batch 8: tests, smoke runs and the
    learning check. The landmark term is 5x and the coefficient term 0.2x the paper's: on a
    few identities the coefficient L2 of the identity and texture parts is learnt by heart
    and the pose, which landmarks measure, generalises less (measured on held-out faces)."""
    small = FaceReconstructionModelConfig(
        backbone="small",
        small_filters=(16, 32, 64, 128, 128),
        coefficient_weight=0.2,
        landmark_weight=400.0,
    )
    schedule = TrainConfig(
        steps=300, batch_size=8, learning_rate=1e-3, log_every=50, checkpoint_every=100
    )
    return preset_config("tiny", DataConfig(image_size=64, shuffle_buffer=64), schedule, small)
