"""gRPC client for TF Serving and `tfface serve`: Predict, GetModelMetadata, GetModelStatus."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grpc
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    status_pb2,
)

from serving.client_errors import ServingClientError
from serving.retry import RetryPolicy
from serving.signature_info import SignatureInfo, signatures_from_metadata_response

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def _retryable(error: BaseException) -> bool:
    return isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.UNAVAILABLE


class GrpcClient:
    """Calls a model server over gRPC with the official PredictionService / ModelService stubs.

    Args:
        address: "host:port" of the gRPC port (8500 by default on TF Serving).
        timeout: seconds per call (deadline).
        retry: retries on UNAVAILABLE only (server starting, restarting or overloaded).
        max_message_bytes: largest message sent or received.
    """

    def __init__(
        self,
        address: str,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.channel = grpc.insecure_channel(
            address,
            options=[
                ("grpc.max_send_message_length", max_message_bytes),
                ("grpc.max_receive_message_length", max_message_bytes),
            ],
        )
        self.prediction_stub = prediction_service_pb2_grpc.PredictionServiceStub(self.channel)
        self.model_stub = model_service_pb2_grpc.ModelServiceStub(self.channel)

    def _call(self, method, request):
        try:
            return self.retry.call(lambda: method(request, timeout=self.timeout), _retryable)
        except grpc.RpcError as error:
            raise ServingClientError(error.code(), error.details() or "", None) from error

    def predict(
        self,
        model: str,
        inputs: Mapping[str, np.ndarray],
        signature: str = "serving_default",
        version: int | None = None,
        output_filter: Iterable[str] = (),
    ) -> dict[str, np.ndarray]:
        """Runs `signature` of `model` on `inputs`; returns its outputs as arrays."""
        request = predict_pb2.PredictRequest()
        request.model_spec.name = model
        request.model_spec.signature_name = signature
        if version is not None:
            request.model_spec.version.value = version
        for name, value in inputs.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
        request.output_filter.extend(output_filter)
        response = self._call(self.prediction_stub.Predict, request)
        return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}

    def signatures(self, model: str, version: int | None = None) -> dict[str, SignatureInfo]:
        """The model's signatures (GetModelMetadata)."""
        request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
        request.model_spec.name = model
        if version is not None:
            request.model_spec.version.value = version
        response = self._call(self.prediction_stub.GetModelMetadata, request)
        return signatures_from_metadata_response(response)

    def status(self, model: str, version: int | None = None) -> list[dict]:
        """[{"version", "state", "error_code", "error_message"}] (GetModelStatus)."""
        request = get_model_status_pb2.GetModelStatusRequest()
        request.model_spec.name = model
        if version is not None:
            request.model_spec.version.value = version
        response = self._call(self.model_stub.GetModelStatus, request)
        state_name = get_model_status_pb2.ModelVersionStatus.State.Name
        code_name = status_pb2.StatusProto.DESCRIPTOR.fields_by_name["error_code"].enum_type
        return [
            {
                "version": int(entry.version),
                "state": state_name(entry.state),
                "error_code": code_name.values_by_number[entry.status.error_code].name,
                "error_message": entry.status.error_message,
            }
            for entry in response.model_version_status
        ]

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> GrpcClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
