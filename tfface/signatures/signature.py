"""The export contract: a system's serving signatures, as data the export writer traces.

A system's export spec is a function `export_signatures(system) -> {signature name:
ExportSignature}`, carried by its registry entry (`SystemSpec.export_signatures` in
`tfface/systems/registry.py`). Each `ExportSignature` names its inputs (wire TensorSpecs
plus the in-graph normalisation and checks, see `tfface/signatures/inputs.py`) and a python
function from the NORMALISED inputs (float images in [-1, 1], one-hot masks, latent codes)
to the model's outputs. `tfface/export/saved_model_writer.py` wraps each one in a
`tf.function` with an explicit signature (uint8 in, input checks and normalisation in the
graph, named outputs; float outputs listed in `image_outputs` are turned back into uint8
images). The export also adds to every signature with picture inputs a sibling that takes
encoded image bytes (`tfface/signatures/bytes_signatures.py`: `serving_bytes` for
`serving_default`, `<name>_bytes` for the others).

How a system gets exported:

    from tfface.signatures.inputs import image_input, label_map_input
    from tfface.signatures.signature import ExportSignature

    def mask_guided_signatures(system) -> dict[str, ExportSignature]:
        size = system.image_size
        return {
            "serving_default": ExportSignature(            # edit = the default signature
                inputs={"image": image_input(size), "mask": label_map_input(11, size)},
                function=lambda inputs: {"image": system.edit(inputs["image"], inputs["mask"])},
            ),
            "synthesize": ExportSignature(...),            # mask (+ latent codes) -> image
            "parse": ExportSignature(..., image_outputs=()),  # image -> float class maps
        }

and its registry entry says `SystemSpec(..., export_signatures=mask_guided_signatures)`.
Systems whose `call(image)` maps an image to an image can use
`tfface.signatures.image_to_image.image_to_image_signatures`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from tfface.signatures.evaluation_target import EvaluationTarget

DEFAULT_SIGNATURE = "serving_default"


def _identity(tensor: tf.Tensor) -> tf.Tensor:
    return tensor


@dataclass(frozen=True)
class ExportInput:
    """One input of a serving signature.

    Attributes:
        spec: what clients send (dtype and shape; the leading None is the batch).
        normalize: in-graph map from the wire tensor to what the model takes
            (e.g. uint8 [0, 255] -> float32 [-1, 1]).
        warmup_shape: shape of the warmup example when `spec` has unknown dims besides the
            batch (default: `spec.shape` with batch 1).
        warmup_value: fill value of the warmup example (e.g. b"" is not a valid image, so
            encoded-image inputs give a tiny PNG instead; see `tfface.signatures.inputs`).
        description: what the input is, for the model card.
        picture: for uint8 picture inputs, how encoded images decode into them:
            "image" (colour photographs, smooth resize) or "labels" (label maps and masks,
            nearest-neighbour resize); see `tfface.signatures.image_codec`. Signatures with a picture
            input get a `*_bytes` sibling that takes encoded images instead
            (`tfface.signatures.bytes_signatures`). None: not a picture.
        value_range: inclusive (low, high) every value must lie in (label maps: class
            indices; angles), checked in the graph (`tfface/signatures/input_checks.py`).
        allowed_values: the only values allowed (hole masks: 0 and 255), checked likewise.
    """

    spec: tf.TensorSpec
    normalize: Callable[[tf.Tensor], tf.Tensor] = _identity
    warmup_shape: tuple[int, ...] | None = None
    warmup_value: Any = 0
    description: str = ""
    picture: str | None = None
    value_range: tuple[float, float] | None = None
    allowed_values: tuple[float, ...] | None = None


@dataclass(frozen=True)
class ExportSignature:
    """One serving signature: its inputs and the function from normalised inputs to outputs.

    Attributes:
        inputs: input name -> ExportInput (names are the signature's input keys).
        function: {name: normalised tensor} -> {output name: tensor}; traced once.
        image_outputs: names of float outputs in [-1, 1] that leave the graph as uint8 images;
            every other output is returned as computed (float maps, class scores...).
        description: what the signature does, for the model card.
        evaluation_target: what `tfface evaluate` compares the `image` output (or the output
            it names) with (the input image, the paired target image..., and why;
            `tfface.signatures.evaluation_target`), written
            into the model card; None: the evaluator's default, printed as a guess.
    """

    inputs: Mapping[str, ExportInput]
    function: Callable[[dict[str, tf.Tensor]], dict[str, tf.Tensor]]
    image_outputs: tuple[str, ...] = ("image",)
    description: str = ""
    evaluation_target: EvaluationTarget | None = None


BuildSignatures = Callable[[Any], dict[str, ExportSignature]]


def check_signatures(
    system_name: str, signatures: Mapping[str, ExportSignature]
) -> dict[str, ExportSignature]:
    """`signatures`, checked: at least one, each an ExportSignature with inputs."""
    if not signatures:
        raise ValueError(f"the export spec of {system_name!r} returned no signatures")
    for signature_name, signature in signatures.items():
        if not isinstance(signature, ExportSignature):
            raise TypeError(
                f"{system_name!r} signature {signature_name!r} must be an ExportSignature, "
                f"got {type(signature).__name__}"
            )
        if not signature.inputs:
            raise ValueError(f"{system_name!r} signature {signature_name!r} has no inputs")
    return dict(signatures)
