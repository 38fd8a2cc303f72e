"""What a served signature takes and returns, from GetModelMetadata (gRPC or REST)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tensorflow as tf
from google.protobuf import json_format
from tensorflow_serving.apis import get_model_metadata_pb2

INIT_OP_SIGNATURE = "__saved_model_init_op"


@dataclass(frozen=True)
class TensorInfo:
    """dtype name ("uint8") and shape (-1 = any size; None = unknown rank)."""

    dtype: str
    shape: tuple[int, ...] | None

    @property
    def is_image(self) -> bool:
        """uint8 (B, H, W, 3): an RGB image batch."""
        return self.dtype == "uint8" and self.shape is not None and len(self.shape) == 4


@dataclass(frozen=True)
class SignatureInfo:
    """One signature: input and output names with their TensorInfo."""

    name: str
    inputs: Mapping[str, TensorInfo]
    outputs: Mapping[str, TensorInfo]


def _tensor_info(proto: Any) -> TensorInfo:
    dtype = tf.dtypes.as_dtype(proto.dtype).name
    if proto.tensor_shape.unknown_rank:
        return TensorInfo(dtype, None)
    return TensorInfo(dtype, tuple(int(dim.size) for dim in proto.tensor_shape.dim))


def signatures_from_proto(
    signature_map: get_model_metadata_pb2.SignatureDefMap,
) -> dict[str, SignatureInfo]:
    """SignatureInfo per signature (the SavedModel init op excluded)."""
    return {
        name: SignatureInfo(
            name,
            {key: _tensor_info(value) for key, value in signature.inputs.items()},
            {key: _tensor_info(value) for key, value in signature.outputs.items()},
        )
        for name, signature in signature_map.signature_def.items()
        if name != INIT_OP_SIGNATURE
    }


def signatures_from_metadata_response(
    response: get_model_metadata_pb2.GetModelMetadataResponse,
) -> dict[str, SignatureInfo]:
    """From a gRPC GetModelMetadataResponse."""
    signature_map = get_model_metadata_pb2.SignatureDefMap()
    response.metadata["signature_def"].Unpack(signature_map)
    return signatures_from_proto(signature_map)


def signatures_from_metadata_json(metadata: Mapping[str, Any]) -> dict[str, SignatureInfo]:
    """From a REST metadata answer ({"metadata": {"signature_def": ...}})."""
    signature_map = json_format.ParseDict(
        metadata["metadata"]["signature_def"],
        get_model_metadata_pb2.SignatureDefMap(),
        ignore_unknown_fields=True,
    )
    return signatures_from_proto(signature_map)
