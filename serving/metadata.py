"""Model metadata and status answers, built from the official protos.

`GetModelMetadata` returns the SavedModel's SignatureDefs exactly as stored in
`saved_model.pb` (TF Serving reads the same MetaGraphDef), packed as a `SignatureDefMap`
in `metadata["signature_def"]`. `GetModelStatus` lists `ModelVersionStatus` entries.
REST answers are the proto JSON mapping of the same messages, with proto field names, as
TF Serving's REST API prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from google.protobuf import any_pb2, json_format
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_pb2,
    status_pb2,
)

SIGNATURE_DEF_FIELD = "signature_def"
STATE = get_model_status_pb2.ModelVersionStatus.State


def read_signature_def_map(version_dir: str | Path) -> get_model_metadata_pb2.SignatureDefMap:
    """The SignatureDefs of the SavedModel's (only) MetaGraphDef."""
    saved_model = saved_model_pb2.SavedModel()
    saved_model.ParseFromString((Path(version_dir) / "saved_model.pb").read_bytes())
    signature_map = get_model_metadata_pb2.SignatureDefMap()
    for meta_graph in saved_model.meta_graphs[:1]:
        for name, signature in meta_graph.signature_def.items():
            signature_map.signature_def[name].CopyFrom(signature)
    return signature_map


def metadata_response(
    model_name: str, version: int, signature_map: get_model_metadata_pb2.SignatureDefMap
) -> get_model_metadata_pb2.GetModelMetadataResponse:
    """GetModelMetadataResponse with the signature_def metadata."""
    response = get_model_metadata_pb2.GetModelMetadataResponse()
    response.model_spec.CopyFrom(model_pb2.ModelSpec(name=model_name))
    response.model_spec.version.value = version
    packed = any_pb2.Any()
    packed.Pack(signature_map)
    response.metadata[SIGNATURE_DEF_FIELD].CopyFrom(packed)
    return response


def metadata_json(
    model_name: str, version: int, signature_map: get_model_metadata_pb2.SignatureDefMap
) -> dict:
    """The REST metadata answer: model_spec and metadata.signature_def (proto JSON)."""
    return {
        "model_spec": {"name": model_name, "signature_name": "", "version": str(version)},
        "metadata": {SIGNATURE_DEF_FIELD: proto_to_json(signature_map)},
    }


def status_response(
    entries: Iterable[tuple[int, int, int, str]],
) -> get_model_status_pb2.GetModelStatusResponse:
    """GetModelStatusResponse from (version, state, error code, error message) entries."""
    response = get_model_status_pb2.GetModelStatusResponse()
    for version, state, error_code, error_message in entries:
        status = response.model_version_status.add()
        status.version = version
        status.state = state
        status.status.CopyFrom(
            status_pb2.StatusProto(error_code=error_code, error_message=error_message)
        )
    return response


def proto_to_json(message) -> dict:
    """Proto JSON with proto field names and default values printed (like TF Serving)."""
    return json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )
