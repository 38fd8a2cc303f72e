"""What a serving signature's output is compared with when `tfface evaluate` scores it.

A signature's meaning decides its evaluation target, not the dataset: mask_guided's edit
signature, fed an image with its own label map, reconstructs its INPUT, even on a
`--pair-with-frontal` dataset that also holds a frontal `target_image`; warp_rotation
rotates its input to the paired view, so its target IS `target_image`; an inpainter fills
holes cut into its input, so its target is the unholed input image. Each `ExportSignature`
declares this as an `EvaluationTarget`; the export writes it into the model card
(`assets.extra/model_card.json`, per signature, key `evaluation_target`), where
`tfface.metrics.sources` reads it back: the evaluator loads exports without tfface model code.

    from tfface.signatures.evaluation_target import paired_target, reconstructs_input

    ExportSignature(..., evaluation_target=reconstructs_input("mask_guided reconstructs its input"))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INPUT_IMAGE = "image"
"""Dataset feature of the input image (the example itself)."""
PAIRED_TARGET_IMAGE = "target_image"
"""Dataset feature of the paired view (`--pair-with-frontal`, paired translation sets)."""
TARGET_FEATURES = (INPUT_IMAGE, PAIRED_TARGET_IMAGE)


@dataclass(frozen=True)
class EvaluationTarget:
    """The dataset image a signature's `image` output should equal, and why.

    Attributes:
        feature: dataset feature (`tfface.data.features`): `image` (the input itself) or
            `target_image` (the example's paired view).
        reason: why, in a few words, for the report ("mask_guided reconstructs its input").
    """

    feature: str
    reason: str

    def __post_init__(self) -> None:
        if self.feature not in TARGET_FEATURES:
            raise ValueError(
                f"an evaluation target is one of {', '.join(TARGET_FEATURES)}, got {self.feature!r}"
            )
        if not self.reason.strip():
            raise ValueError("an evaluation target needs a reason (it is printed in reports)")

    def describe(self) -> dict[str, str]:
        """JSON form, as written into the model card."""
        return {"feature": self.feature, "reason": self.reason}

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> EvaluationTarget:
        """The inverse of `describe` (a model card's `evaluation_target`)."""
        try:
            return cls(str(description["feature"]), str(description["reason"]))
        except (KeyError, TypeError) as error:
            raise ValueError(
                f"an evaluation target is {{'feature': ..., 'reason': ...}}, got {description!r}"
            ) from error


def reconstructs_input(reason: str) -> EvaluationTarget:
    """The output is compared with the input image itself."""
    return EvaluationTarget(INPUT_IMAGE, reason)


def paired_target(reason: str) -> EvaluationTarget:
    """The output is compared with the example's paired `target_image`."""
    return EvaluationTarget(PAIRED_TARGET_IMAGE, reason)
