"""What a serving signature's output is compared with when `tfface evaluate` scores it.

A signature's meaning decides its evaluation target, not the dataset: mask_guided's edit
signature, fed an image with its own label map, reconstructs its INPUT, even on a
`--pair-with-frontal` dataset that also holds a frontal `target_image`; warp_rotation
rotates its input to the paired view, so its target IS `target_image`; an inpainter fills
holes cut into its input, so its target is the unholed input image; a de-occluder aims at
the face beneath the occluder (`image_unoccluded`); uv_completion's `uv_texture` OUTPUT (a
UV map, not the `image` output) is scored against SynthFaces' exact texture (`uv_texture`).
The target names the dataset feature and the signature output it is compared with (default
`image`, the serving contract's image output). Each `ExportSignature`
declares this as an `EvaluationTarget`; the export writes it into the model card
(`assets.extra/model_card.json`, per signature, key `evaluation_target`), where
`tfface.metrics.sources` reads it back: the evaluator loads exports without tfface model code.

    from tfface.signatures.evaluation_target import paired_target, reconstructs_input

    ExportSignature(..., evaluation_target=reconstructs_input("mask_guided reconstructs its input"))
    ExportSignature(..., evaluation_target=exact_uv_texture("the completed UV map", "uv_texture"))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

INPUT_IMAGE = "image"
"""Dataset feature of the input image (the example itself)."""
PAIRED_TARGET_IMAGE = "target_image"
"""Dataset feature of the paired view (`--pair-with-frontal`, paired translation sets)."""
UNOCCLUDED_IMAGE = "image_unoccluded"
"""Dataset feature of the face beneath the occluder (SynthFaces `--occluders`)."""
EXACT_UV_TEXTURE = "uv_texture"
"""Dataset feature of SynthFaces' exact UV texture (`--with-uv-texture`), a UV map."""
TARGET_FEATURES = (INPUT_IMAGE, PAIRED_TARGET_IMAGE, UNOCCLUDED_IMAGE, EXACT_UV_TEXTURE)
IMAGE_OUTPUT = "image"
"""The signature output scored unless a target names another (the serving contract's)."""


@dataclass(frozen=True)
class EvaluationTarget:
    """The dataset image a signature's output should equal, and why.

    Attributes:
        feature: dataset feature (`tfface.data.features`): `image` (the input itself),
            `target_image` (the example's paired view), `image_unoccluded` (the face beneath
            the occluder) or `uv_texture` (SynthFaces' exact UV texture).
        reason: why, in a few words, for the report ("mask_guided reconstructs its input").
        output: the signature's uint8 output compared with it (default `image`).
    """

    feature: str
    reason: str
    output: str = IMAGE_OUTPUT

    def __post_init__(self) -> None:
        if self.feature not in TARGET_FEATURES:
            raise ValueError(
                f"an evaluation target is one of {', '.join(TARGET_FEATURES)}, got {self.feature!r}"
            )
        if not self.reason.strip():
            raise ValueError("an evaluation target needs a reason (it is printed in reports)")
        if not self.output.isidentifier():
            raise ValueError(
                f"an evaluation target's output is a signature output name, got {self.output!r}"
            )

    def describe(self) -> dict[str, str]:
        """JSON form, as written into the model card (`output` only when not `image`)."""
        described = {"feature": self.feature, "reason": self.reason}
        if self.output != IMAGE_OUTPUT:
            described["output"] = self.output
        return described

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> EvaluationTarget:
        """The inverse of `describe` (a model card's `evaluation_target`)."""
        try:
            return cls(
                str(description["feature"]),
                str(description["reason"]),
                str(description.get("output", IMAGE_OUTPUT)),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(
                "an evaluation target is {'feature': ..., 'reason': ...[, 'output': ...]}, "
                f"got {description!r}"
            ) from error


def reconstructs_input(reason: str) -> EvaluationTarget:
    """The output is compared with the input image itself."""
    return EvaluationTarget(INPUT_IMAGE, reason)


def paired_target(reason: str) -> EvaluationTarget:
    """The output is compared with the example's paired `target_image`."""
    return EvaluationTarget(PAIRED_TARGET_IMAGE, reason)


def unoccluded_target(reason: str) -> EvaluationTarget:
    """The `image` output is compared with the face beneath the occluder (`image_unoccluded`)."""
    return EvaluationTarget(UNOCCLUDED_IMAGE, reason)


def exact_uv_texture(reason: str, output: str) -> EvaluationTarget:
    """The UV-map `output` is compared with SynthFaces' exact UV texture (`uv_texture`)."""
    return EvaluationTarget(EXACT_UV_TEXTURE, reason, output)
