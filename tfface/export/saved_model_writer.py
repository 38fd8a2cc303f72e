"""Trace export specs into `tf.function` signatures and write the SavedModel.

Each `ExportSignature` becomes one concrete function with keyword inputs named like its
inputs (the SignatureDef input keys), the input checks (`tfface/signatures/input_checks.py`)
and normalisation inside the graph, and a dict of named
outputs (float outputs listed in `image_outputs` converted to uint8 images). The root object
tracks the system's networks only (not the optimizers), so the SavedModel holds the
inference weights and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tensorflow as tf

from tfface.signatures.input_checks import check_input
from tfface.signatures.inputs import unit_to_uint8
from tfface.signatures.signature import ExportSignature


def serving_function(signature_name: str, signature: ExportSignature) -> Any:
    """The concrete function of one signature (uint8 in, normalised in graph, named outputs)."""

    def serve(**inputs: tf.Tensor) -> dict[str, tf.Tensor]:
        normalised = {}
        previous: list[tf.Tensor] = []
        for input_name, item in signature.inputs.items():
            # One input after the other: a request with several bad inputs is told about
            # the first one in the signature's order, every time.
            with tf.control_dependencies(previous):
                checked = check_input(input_name, inputs[input_name], item)
            normalised[input_name] = item.normalize(checked)
            previous = [checked]
        outputs = signature.function(normalised)
        if not isinstance(outputs, Mapping) or not outputs:
            raise TypeError(
                f"signature {signature_name!r}: the function must return a non-empty dict of "
                f"named outputs, got {type(outputs).__name__}"
            )
        missing = [name for name in signature.image_outputs if name not in outputs]
        if missing:
            raise ValueError(
                f"signature {signature_name!r}: image_outputs {missing} are not outputs "
                f"({sorted(outputs)})"
            )
        result = {}
        for output_name, tensor in outputs.items():
            tensor = tf.convert_to_tensor(tensor)
            if output_name in signature.image_outputs and tensor.dtype.is_floating:
                tensor = unit_to_uint8(tensor)
            result[str(output_name)] = tensor
        return result

    specs = {
        input_name: tf.TensorSpec(item.spec.shape, item.spec.dtype, name=input_name)
        for input_name, item in signature.inputs.items()
    }
    return tf.function(serve).get_concrete_function(**specs)


def serving_functions(signatures: Mapping[str, ExportSignature]) -> dict[str, Any]:
    """Signature name -> concrete function, for every signature."""
    return {name: serving_function(name, signature) for name, signature in signatures.items()}


def write_saved_model(
    system: Any, signatures: Mapping[str, ExportSignature], directory: str | Path
) -> dict[str, Any]:
    """Writes `system`'s inference graph with `signatures` to `directory`; returns the functions.

    The weights saved are the ones the system holds now (call inside `ema.swap()` to export
    averaged weights).
    """
    functions = serving_functions(signatures)
    root = tf.Module()
    network_names = getattr(system, "network_names", None)
    if network_names:
        root.networks = {name: system.network(name) for name in network_names}
    else:
        root.model = system
    try:
        tf.saved_model.save(root, str(directory), signatures=functions)
    except (AssertionError, ValueError) as error:
        if "untracked" not in str(error).lower():
            raise
        raise ValueError(
            f"the export signatures use variables outside the system's networks: {error}. "
            "Keep the inference variables inside networks listed in system.network_names."
        ) from error
    return functions
