"""The serving edge refuses bad inputs the same way for every system's export.

Each registered system's tiny preset is exported (untrained: the checks do not depend on
the weights), then every uint8 signature is called as `tensorflow_model_server` calls it,
straight into the graph (the restored signature, no shape check before it), with a picture
of the wrong size and with a label map or hole mask out of range; and through `tfface
serve`'s request check (`SignatureRunner.predict`) with the wrong dtype. Each answers
INVALID_ARGUMENT (`serving.errors.from_tensorflow_error`) naming the input and what it must
be (`tfface/signatures/input_checks.py`).
"""

from __future__ import annotations

import grpc
import numpy as np
import pytest
import tensorflow as tf

from serving.batching import BatchingOptions
from serving.errors import ServingError, from_tensorflow_error
from serving.servable import ServableOptions, ServableVersion, SignatureRunner
from tfface.config import get_preset
from tfface.export.writer import export_system
from tfface.systems import registry

SYSTEMS = ("mask_guided", "warp_rotation", "warp_inpainting", "gated_inpainting")


@pytest.fixture(scope="module", params=SYSTEMS)
def servable(request, tmp_path_factory: pytest.TempPathFactory) -> ServableVersion:
    """The system's untrained tiny export, loaded like `tfface serve` loads it."""
    system = registry.build(request.param, get_preset(request.param, "tiny"))
    base = tmp_path_factory.mktemp(f"{request.param}_models")
    result = export_system(system, request.param, base, request.param, verify=False)
    options = ServableOptions(BatchingOptions(max_batch_size=1))
    return ServableVersion(request.param, 1, result.version_dir, options)


def valid_inputs(runner: SignatureRunner) -> dict[str, np.ndarray]:
    """A batch of one valid example for every input (zeros: label 0, known pixels, yaw 0)."""
    return {
        name: np.zeros([1, *spec.shape.as_list()[1:]], spec.dtype.as_numpy_dtype)
        for name, spec in runner.input_specs.items()
    }


def uint8_signatures(servable: ServableVersion) -> list[SignatureRunner]:
    """The runners of the signatures whose inputs are all numbers (not encoded bytes)."""
    runners = list(servable.signatures.values())
    return [
        runner
        for runner in runners
        if all(
            spec.dtype.is_integer or spec.dtype.is_floating for spec in runner.input_specs.values()
        )
    ]


def refused_by_the_graph(servable: ServableVersion, runner: SignatureRunner, inputs) -> str:
    """The INVALID_ARGUMENT message of the restored signature called with `inputs`."""
    function = servable.loaded.signatures[runner.name]
    with pytest.raises(tf.errors.OpError) as raised:
        function(**{name: tf.constant(value) for name, value in inputs.items()})
    failure = from_tensorflow_error(raised.value)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT, failure.message
    return failure.message


def refused_by_the_server(runner: SignatureRunner, inputs) -> str:
    """The INVALID_ARGUMENT message of `tfface serve`'s request check."""
    with pytest.raises(ServingError) as raised:
        runner.predict(inputs)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT, raised.value.message
    return raised.value.message


def test_every_signature_refuses_a_picture_of_another_size(servable) -> None:
    checked = 0
    for runner in uint8_signatures(servable):
        for name, spec in runner.input_specs.items():
            dims = spec.shape.as_list()
            if spec.dtype.name != "uint8" or len(dims) < 3:
                continue
            inputs = valid_inputs(runner)
            inputs[name] = np.zeros([1, dims[1] // 2, dims[2] // 2, *dims[3:]], np.uint8)
            message = refused_by_the_graph(servable, runner, inputs)
            size = dims[1]
            assert f"input {name} must be uint8 (batch, {size}, {size}" in message, message
            checked += 1
    assert checked >= 1


def test_every_signature_refuses_another_dtype(servable) -> None:
    for runner in uint8_signatures(servable):
        name = next(name for name, spec in runner.input_specs.items() if spec.dtype.name == "uint8")
        inputs = valid_inputs(runner)
        inputs[name] = inputs[name].astype(np.float32)
        message = refused_by_the_server(runner, inputs)
        assert f"input {name!r} must be uint8, got float32" in message, message


def test_label_maps_and_masks_out_of_range_are_refused(servable) -> None:
    """Label maps (class indices) and hole masks (0 / 255) with a value outside their set."""
    checked = 0
    for runner in uint8_signatures(servable):
        for name, spec in runner.input_specs.items():
            is_label_map = spec.dtype.name == "uint8" and spec.shape.rank == 3
            if not (is_label_map or name == "hole_mask"):
                continue
            inputs = valid_inputs(runner)
            inputs[name] = np.full_like(inputs[name], 200 if is_label_map else 7)
            message = refused_by_the_graph(servable, runner, inputs)
            assert f"input {name} must hold" in message, message
            checked += 1
    if servable.model_name != "warp_rotation":  # its inputs are an image and a yaw
        assert checked >= 1
