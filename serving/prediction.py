"""The protocol-independent request path shared by the gRPC and REST front ends.

resolve the servable (model, version) -> the signature -> announce to its batcher ->
decode inputs (front-end specific) -> check and run -> outputs (optionally filtered).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from serving.errors import invalid_argument
from serving.model_manager import ModelManager
from serving.servable import ServableVersion, SignatureRunner


def predict(
    manager: ModelManager,
    model_name: str,
    version: int | None,
    signature_name: str,
    decode_inputs: Callable[[SignatureRunner], Mapping[str, np.ndarray]],
    output_filter: Iterable[str] = (),
) -> tuple[ServableVersion, str, dict[str, np.ndarray]]:
    """Runs one request; returns (servable, signature name, outputs).

    `decode_inputs(runner)` turns the request's inputs into arrays; it may use the runner's
    input specs (REST JSON needs the dtypes).
    """
    servable = manager.servable(model_name, version)
    runner = servable.signature(signature_name)
    wanted = list(output_filter)
    unknown = sorted(set(wanted) - set(runner.output_specs))
    if unknown:
        raise invalid_argument(
            f"output_filter {unknown} are not outputs of signature {runner.name!r}; "
            f"outputs: {sorted(runner.output_specs)}"
        )
    ticket = runner.batcher.announce() if runner.batcher is not None else None
    try:
        arrays = decode_inputs(runner)
        outputs = runner.predict(arrays, ticket)
    finally:
        if ticket is not None:
            runner.batcher.withdraw(ticket)
    if wanted:
        outputs = {name: outputs[name] for name in wanted}
    return servable, runner.name, outputs
