"""Every image signature declares what `tfface evaluate` compares it with."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import tensorflow as tf

from tfface.export.model_card import describe_signatures
from tfface.signatures.evaluation_target import EvaluationTarget, reconstructs_input
from tfface.signatures.inputs import image_input
from tfface.signatures.signature import ExportSignature
from tfface.systems import registry

SIZE = 16


def stand_in_system(name: str) -> SimpleNamespace:
    """What the export specs read while BUILDING their signatures (nothing is traced here)."""
    return SimpleNamespace(
        image_size=SIZE, model_config=SimpleNamespace(target_yaw_input=True), name=name
    )


@pytest.mark.parametrize(
    ("system_name", "feature"),
    [
        ("mask_guided", "image"),  # reconstructs its input, even on --pair-with-frontal data
        ("warp_rotation", "target_image"),  # rotates its input to the paired view
        ("warp_inpainting", "image"),  # the unholed input image
        ("gated_inpainting", "image"),
    ],
)
def test_system_signatures_declare_their_target(system_name: str, feature: str) -> None:
    signatures = registry.get(system_name).export_signatures(stand_in_system(system_name))
    targets = {
        name: signature.evaluation_target
        for name, signature in signatures.items()
        if "image" in signature.image_outputs or not signature.image_outputs
    }
    assert targets and all(target is not None for target in targets.values()), targets
    assert {target.feature for target in targets.values()} == {feature}
    assert all(target.reason for target in targets.values())


def test_the_model_card_carries_the_target() -> None:
    signature = ExportSignature(
        inputs={"image": image_input(SIZE)},
        function=lambda inputs: {"image": inputs["image"]},
        evaluation_target=reconstructs_input("an identity reconstructs its input"),
    )
    function = tf.function(lambda image: {"image": image}).get_concrete_function(
        tf.TensorSpec([None, SIZE, SIZE, 3], tf.uint8)
    )
    described = describe_signatures({"serving_default": signature}, {"serving_default": function})
    declared = described["serving_default"]["evaluation_target"]
    assert declared == {"feature": "image", "reason": "an identity reconstructs its input"}
    assert EvaluationTarget.from_description(declared) == signature.evaluation_target


def test_bad_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="one of image, target_image"):
        EvaluationTarget("label_map_11", "labels")
    with pytest.raises(ValueError, match="needs a reason"):
        EvaluationTarget("image", " ")
    with pytest.raises(ValueError, match="'feature'"):
        EvaluationTarget.from_description({"reason": "no feature"})


def test_bytes_siblings_keep_the_target() -> None:
    from tfface.signatures.bytes_signatures import bytes_signature_name, with_bytes_signatures

    signatures = registry.get("mask_guided").export_signatures(stand_in_system("mask_guided"))
    with_siblings = with_bytes_signatures(signatures)
    for name, signature in signatures.items():
        sibling = with_siblings.get(bytes_signature_name(name))
        if sibling is not None:
            assert sibling.evaluation_target == signature.evaluation_target, name
