"""One loaded model version: its SavedModel, signatures, batchers and warmup.

The SavedModel is loaded with `tf.saved_model.load` and every call goes through
`loaded.signatures[name]`, as any TF2 consumer of the export would, wrapped once in a traced
concrete function that saves the restored function's per-call Python work. Inputs are
checked against the signature's specs first, so a bad request gets a message naming the
expected inputs instead of a TensorFlow stack trace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from serving.batching import Batcher, BatchingOptions
from serving.errors import from_tensorflow_error, not_found
from serving.metadata import read_signature_def_map
from serving.tensors import check_inputs, tensor_to_array
from serving.warmup import WARMUP_DIRECTORY, WARMUP_FILE, read_warmup_file

LOGGER = logging.getLogger("tfface.serve")


@dataclass(frozen=True)
class ServableOptions:
    """How versions are run: batching, and (tests only) an artificial delay per run."""

    batching: BatchingOptions = BatchingOptions()
    simulate_latency_ms: float = 0.0


def traced_signature(function: Any, input_specs: Mapping[str, tf.TensorSpec]) -> Any:
    """`function` (a restored signature) called from a concrete function traced once.

    A restored signature resolves each of its captured variables in Python on every call
    (about 200 for the tiny mask-guided export, ~0.3 ms a call on this machine's CPU); the
    traced wrapper binds them once, at load, and its graph is one call of the signature, so
    the outputs are bit-identical (tests/serving/test_servable.py).
    """

    def call_signature(inputs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        return function(**inputs)

    return tf.function(call_signature).get_concrete_function(dict(input_specs))


class SignatureRunner:
    """Calls one signature: checks inputs, runs (batched when possible), returns NumPy outputs."""

    def __init__(self, name: str, function: Any, options: ServableOptions) -> None:
        self.name = name
        self.options = options
        self.input_specs: dict[str, tf.TensorSpec] = dict(function.structured_input_signature[1])
        self.output_specs: dict[str, tf.TensorSpec] = dict(function.structured_outputs)
        self.traced = traced_signature(function, self.input_specs)
        batchable = options.batching.max_batch_size > 1 and all(
            spec.shape.rank and spec.shape[0] is None
            for spec in (*self.input_specs.values(), *self.output_specs.values())
        )
        self.batcher = Batcher(self.run, options.batching) if batchable else None

    def call(self, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One call of the signature (through its traced wrapper), NumPy outputs."""
        try:
            outputs = self.traced({name: tf.constant(value) for name, value in arrays.items()})
        except tf.errors.OpError as error:
            failure = from_tensorflow_error(error)
            failure.message = f"signature {self.name!r}: {failure.message}"
            raise failure from error
        return {name: value.numpy() for name, value in outputs.items()}

    def run(self, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One run for requests (with the simulated latency of tests, if any)."""
        if self.options.simulate_latency_ms:
            time.sleep(self.options.simulate_latency_ms / 1000.0)
        return self.call(arrays)

    def predict(
        self, arrays: Mapping[str, np.ndarray], ticket: Any = None
    ) -> dict[str, np.ndarray]:
        """Checks `arrays` against the input specs and runs them (through the batcher).

        `ticket` is this request's `Batcher.announce()` ticket, if it announced itself.
        """
        check_inputs(self.name, self.input_specs, arrays)
        if self.batcher is None:
            return self.run(arrays)
        return self.batcher.submit(arrays, ticket)


class ServableVersion:
    """A loaded version of a model.

    Args:
        model_name: the served model name.
        version: the version number.
        path: the version folder (`<base_path>/<version>`).
        options: batching and test options.
    """

    def __init__(self, model_name: str, version: int, path: Path, options: ServableOptions) -> None:
        self.model_name = model_name
        self.version = version
        self.path = Path(path)
        self.loaded = tf.saved_model.load(str(self.path))
        self.signature_def_map = read_signature_def_map(self.path)
        self.signatures = {
            name: SignatureRunner(name, function, options)
            for name, function in self.loaded.signatures.items()
        }

    def signature(self, signature_name: str) -> SignatureRunner:
        """The runner of `signature_name`; NOT_FOUND (REST 404) if the version has no such signature.

        tensorflow_model_server answers this case with FAILED_PRECONDITION (REST 400); we
        answer NOT_FOUND like for an unknown model or version, as our serving contract says
        (README, "Errors"), so a client tells "no such thing" from a bad request by the code.
        Clients that must run against both servers treat the two codes alike here.
        """
        runner = self.signatures.get(signature_name or "serving_default")
        if runner is None:
            raise not_found(
                f'Serving signature key "{signature_name}" not found. Model '
                f"{self.model_name} version {self.version} has signatures: "
                f"{', '.join(sorted(self.signatures))}"
            )
        return runner

    def warmup(self) -> int:
        """Replays assets.extra/tf_serving_warmup_requests; returns the number of requests."""
        path = self.path / WARMUP_DIRECTORY / WARMUP_FILE
        if not path.is_file():
            return 0
        count = 0
        for log in read_warmup_file(path):
            if not log.HasField("predict_log"):
                continue
            request = log.predict_log.request
            runner = self.signature(request.model_spec.signature_name)
            arrays = {name: tensor_to_array(proto, name) for name, proto in request.inputs.items()}
            check_inputs(runner.name, runner.input_specs, arrays)
            runner.call(arrays)
            count += 1
        LOGGER.info("%s version %d: %d warmup requests", self.model_name, self.version, count)
        return count
