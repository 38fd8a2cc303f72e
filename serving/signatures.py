"""Export specs: which serving signatures a system exports, registered per system name.

A system's export spec is a function `build_signatures(system) -> {signature name:
ExportSignature}`. Each `ExportSignature` names its inputs (wire TensorSpecs plus the
in-graph normalisation, see `serving.normalization`) and a python function from the
NORMALISED inputs (float images in [-1, 1], one-hot masks, latent codes) to the model's
outputs. `serving.saved_model_writer` wraps each one in a `tf.function` with an explicit
signature (uint8 in, normalisation in the graph, named outputs; float outputs listed in
`image_outputs` are turned back into uint8 images). `tfface export` adds to every signature
with picture inputs a sibling that takes encoded image bytes (`serving.bytes_signatures`:
`serving_bytes` for `serving_default`, `<name>_bytes` for the others).

Extension point (how a system gets exported):

    from serving.normalization import image_input, label_map_input, latent_input
    from serving.signatures import ExportSignature, register_export

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

    register_export("mask_guided", mask_guided_signatures)

and, so that `tfface export` finds it without an explicit import, the registering module
goes into `EXPORT_MODULES` ({"mask_guided": "tfface.systems.mask_guided.export"}), like
`tfface.systems.registry.SYSTEM_MODULES`. Systems whose `call(image)` maps an image to an
image can use `serving.image_to_image.image_to_image_signatures`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from serving.evaluation_target import EvaluationTarget

DEFAULT_SIGNATURE = "serving_default"

# System name -> module that calls `register_export` for it (imported lazily by `get_export`).
EXPORT_MODULES: dict[str, str] = {
    "mask_guided": "tfface.systems.mask_guided.export",
    "warp_rotation": "tfface.systems.warp_rotation.export",
    "warp_inpainting": "tfface.systems.warp_inpainting.export",
    "gated_inpainting": "tfface.systems.gated_inpainting.export",
}


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
            encoded-image inputs give a tiny PNG instead; see `serving.normalization`).
        description: what the input is, for the model card.
        picture: for uint8 picture inputs, how encoded images decode into them:
            "image" (colour photographs, smooth resize) or "labels" (label maps and masks,
            nearest-neighbour resize); see `serving.image_codec`. Signatures with a picture
            input get a `*_bytes` sibling that takes encoded images instead
            (`serving.bytes_signatures`). None: not a picture.
    """

    spec: tf.TensorSpec
    normalize: Callable[[tf.Tensor], tf.Tensor] = _identity
    warmup_shape: tuple[int, ...] | None = None
    warmup_value: Any = 0
    description: str = ""
    picture: str | None = None


@dataclass(frozen=True)
class ExportSignature:
    """One serving signature: its inputs and the function from normalised inputs to outputs.

    Attributes:
        inputs: input name -> ExportInput (names are the signature's input keys).
        function: {name: normalised tensor} -> {output name: tensor}; traced once.
        image_outputs: names of float outputs in [-1, 1] that leave the graph as uint8 images;
            every other output is returned as computed (float maps, class scores...).
        description: what the signature does, for the model card.
        evaluation_target: what `tfface evaluate` compares the `image` output with (the input
            image or the paired target image, and why; `serving.evaluation_target`), written
            into the model card; None: the evaluator's default, printed as a guess.
    """

    inputs: Mapping[str, ExportInput]
    function: Callable[[dict[str, tf.Tensor]], dict[str, tf.Tensor]]
    image_outputs: tuple[str, ...] = ("image",)
    description: str = ""
    evaluation_target: EvaluationTarget | None = None


BuildSignatures = Callable[[Any], dict[str, ExportSignature]]

_EXPORTS: dict[str, BuildSignatures] = {}


def register_export(system_name: str, build_signatures: BuildSignatures) -> BuildSignatures:
    """Registers how to export system `system_name`; re-registering replaces it."""
    _EXPORTS[system_name] = build_signatures
    return build_signatures


def get_export(system_name: str) -> BuildSignatures:
    """The export spec of `system_name` (importing its module from EXPORT_MODULES if needed)."""
    if system_name not in _EXPORTS and system_name in EXPORT_MODULES:
        importlib.import_module(EXPORT_MODULES[system_name])
    if system_name not in _EXPORTS:
        known = sorted(set(_EXPORTS) | set(EXPORT_MODULES))
        raise ValueError(
            f"system {system_name!r} has no serving export registered (systems with one: "
            f"{', '.join(known) or 'none yet'}); register it with "
            "serving.signatures.register_export"
        )
    return _EXPORTS[system_name]


def exportable_systems() -> list[str]:
    """Names of the systems with an export spec."""
    return sorted(set(_EXPORTS) | set(EXPORT_MODULES))


def build_signatures(system_name: str, system: Any) -> dict[str, ExportSignature]:
    """The signatures of `system`, checked: at least one, names and inputs non-empty."""
    signatures = get_export(system_name)(system)
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
    return signatures
