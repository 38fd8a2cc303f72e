"""Which dataset image an evaluation compares the export's output with, and why.

In order: ``--target`` (the user's choice); else what the signature declares in the
export's model card (``tfface.signatures.evaluation_target``: mask_guided reconstructs its input,
warp_rotation aims at the paired ``target_image``, inpainters at the unholed input); else a
default for exports that declare nothing (not written by ``tfface export``): the paired
``target_image`` when the dataset has one, else the input image. The reason is always
kept, printed and written into the report, since neither default is obviously right.

The compared OUTPUT of the signature is the declared target's (`image` unless it names
another, e.g. uv_completion's `uv_texture`); `--target` changes the dataset feature only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from tfface.signatures.evaluation_target import (
    IMAGE_OUTPUT,
    INPUT_IMAGE,
    PAIRED_TARGET_IMAGE,
    EvaluationTarget,
)

CHOSEN_WITH_OPTION = "chosen with --target"
BUILD_OPTIONS = {
    "image_unoccluded": "--occluders for the faces beneath occluders",
    "uv_texture": "--with-uv-texture for the exact UV texture",
}
"""The SynthFaces option that writes a target feature (for the missing-feature message)."""


@dataclass(frozen=True)
class TargetChoice:
    """The compared dataset image.

    Attributes:
        feature: dataset feature (``image``, ``target_image``, ...).
        reason: why this one (the signature's declaration, --target, or the default).
        output: the signature output compared with it (``image`` unless declared otherwise).
    """

    feature: str
    reason: str
    output: str = IMAGE_OUTPUT

    def text(self) -> str:
        """``input image (mask_guided reconstructs its input)`` for reports."""
        name = "input image" if self.feature == INPUT_IMAGE else self.feature
        scored = "" if self.output == IMAGE_OUTPUT else f"output {self.output} vs "
        return f"{scored}{name} ({self.reason})"


def choose_target(
    requested: str | None,
    declared: EvaluationTarget | None,
    present: Collection[str],
    signature: str,
) -> TargetChoice:
    """The target of an evaluation (module text).

    Args:
        requested: ``--target`` (None: not given).
        declared: the signature's declared target (None: the export declares none).
        present: the dataset's features.
        signature: the evaluated signature's name (for messages).

    Raises:
        ValueError: the chosen image is not in the dataset (the message says how to fix it).
    """
    if requested is not None:
        if requested not in present:
            raise ValueError(
                f"--target {requested!r}: the dataset has no such feature "
                f"(it has {', '.join(sorted(present))})"
            )
        output = declared.output if declared is not None else IMAGE_OUTPUT
        return TargetChoice(requested, CHOSEN_WITH_OPTION, output)
    if declared is not None:
        if declared.feature not in present:
            raise ValueError(
                f"signature {signature!r} is compared with the dataset's {declared.feature!r} "
                f"({declared.reason}), which this dataset lacks; build SynthFaces with "
                f"{BUILD_OPTIONS.get(declared.feature, '--pair-with-frontal for paired views')}, "
                "or choose the compared image with --target"
            )
        return TargetChoice(declared.feature, declared.reason, declared.output)
    if PAIRED_TARGET_IMAGE in present:
        return TargetChoice(
            PAIRED_TARGET_IMAGE,
            "the export declares no evaluation target, and the dataset has paired views; "
            "pass --target image if the export reconstructs its input",
        )
    return TargetChoice(
        INPUT_IMAGE,
        "the export declares no evaluation target, and the dataset has no target_image",
    )
