"""The gRPC front end: TF Serving's PredictionService and ModelService on the official protos.

Predict and GetModelMetadata are served; Classify, Regress and MultiInference (which need
tf.Example-based signatures) and HandleReloadConfigRequest answer UNIMPLEMENTED. Every
error is a status code with a message; nothing a client sends raises past a handler.
Predict, Classify and Regress requests (as in TF Serving) are counted and timed in the
server's RequestMetrics (serving/monitoring.py), errors included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc
from tensorflow_serving.apis import (
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from serving.errors import ServingError, invalid_argument, unimplemented
from serving.metadata import SIGNATURE_DEF_FIELD, metadata_response, status_response
from serving.model_manager import ModelManager
from serving.monitoring import GRPC_ENTRYPOINT, RequestMetrics, RequestObservation
from serving.prediction import predict
from serving.tensors import MAX_TENSOR_BYTES, fill_tensor_proto, tensor_to_array

LOGGER = logging.getLogger("tfface.serve")


def requested_version(model_spec: Any) -> int | None:
    """The version a ModelSpec asks for (None = latest); version labels are not supported."""
    if model_spec.WhichOneof("version_choice") == "version_label":
        raise invalid_argument(
            f"version label {model_spec.version_label!r}: version labels are not supported by "
            "tfface serve; ask for a version number (model_spec.version) or the latest"
        )
    if model_spec.HasField("version"):
        return int(model_spec.version.value)
    return None


def _answer(
    context: grpc.ServicerContext,
    handler: Callable[[], Any],
    observation: RequestObservation | None = None,
) -> Any:
    """Runs `handler`; turns a ServingError (or a bug) into the RPC's status.

    `observation`, if given, records the request with its final status code.
    """
    try:
        result = handler()
    except ServingError as error:
        code, message = error.code, error.message
    except Exception as error:  # a bug must not kill the worker thread or the server
        LOGGER.exception("internal error")
        code, message = grpc.StatusCode.INTERNAL, f"internal error: {error}"
    else:
        if observation is not None:
            observation.finish(grpc.StatusCode.OK.name)
        return result
    if observation is not None:
        observation.finish(code.name)
    context.abort(code, message)


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    """tensorflow.serving.PredictionService over a ModelManager.

    Args:
        manager: the served models.
        max_tensor_bytes: the largest input tensor accepted.
        metrics: where requests are counted and timed (None: not recorded).
    """

    def __init__(
        self,
        manager: ModelManager,
        max_tensor_bytes: int = MAX_TENSOR_BYTES,
        metrics: RequestMetrics | None = None,
    ) -> None:
        self.manager = manager
        self.max_tensor_bytes = max_tensor_bytes
        self.metrics = metrics

    def _observe(self, api: str, model_spec: Any) -> RequestObservation:
        """Starts timing a request of `api` for the model and signature in `model_spec`."""
        return RequestObservation(
            self.metrics,
            self.manager,
            api,
            GRPC_ENTRYPOINT,
            model_spec.name,
            model_spec.signature_name,
        )

    def Predict(self, request: predict_pb2.PredictRequest, context: grpc.ServicerContext):
        observation = self._observe("Predict", request.model_spec)

        def handle() -> predict_pb2.PredictResponse:
            spec = request.model_spec
            servable, signature_name, outputs = predict(
                self.manager,
                spec.name,
                requested_version(spec),
                spec.signature_name,
                lambda runner: {
                    name: tensor_to_array(proto, name, self.max_tensor_bytes)
                    for name, proto in request.inputs.items()
                },
                request.output_filter,
            )
            response = predict_pb2.PredictResponse()
            response.model_spec.name = spec.name
            response.model_spec.version.value = servable.version
            response.model_spec.signature_name = signature_name
            for name, value in outputs.items():
                fill_tensor_proto(response.outputs[name], value)
            return response

        return _answer(context, handle, observation)

    def GetModelMetadata(self, request, context: grpc.ServicerContext):
        def handle():
            fields = list(request.metadata_field)
            if not fields:
                raise invalid_argument(
                    "GetModelMetadataRequest must specify at least one metadata_field "
                    f"(supported: {SIGNATURE_DEF_FIELD!r})"
                )
            unsupported = [field for field in fields if field != SIGNATURE_DEF_FIELD]
            if unsupported:
                raise invalid_argument(
                    f"Metadata field {unsupported[0]} is not supported "
                    f"(supported: {SIGNATURE_DEF_FIELD!r})"
                )
            servable = self.manager.servable(
                request.model_spec.name, requested_version(request.model_spec)
            )
            return metadata_response(
                request.model_spec.name, servable.version, servable.signature_def_map
            )

        return _answer(context, handle)

    def _unimplemented(
        self, method: str, context: grpc.ServicerContext, model_spec: Any = None
    ) -> Any:
        observation = self._observe(method, model_spec) if model_spec is not None else None

        def handle():
            raise unimplemented(
                f"{method} is not implemented by tfface serve: the exports have Predict "
                "signatures (uint8 images in, named outputs); use Predict"
            )

        return _answer(context, handle, observation)

    def Classify(self, request, context: grpc.ServicerContext):
        return self._unimplemented("Classify", context, request.model_spec)

    def Regress(self, request, context: grpc.ServicerContext):
        return self._unimplemented("Regress", context, request.model_spec)

    def MultiInference(self, request, context: grpc.ServicerContext):
        return self._unimplemented("MultiInference", context)


class ModelService(model_service_pb2_grpc.ModelServiceServicer):
    """tensorflow.serving.ModelService: GetModelStatus (config reloads are not supported)."""

    def __init__(self, manager: ModelManager) -> None:
        self.manager = manager

    def GetModelStatus(self, request, context: grpc.ServicerContext):
        def handle():
            spec = request.model_spec
            return status_response(self.manager.status(spec.name, requested_version(spec)))

        return _answer(context, handle)

    def HandleReloadConfigRequest(self, request, context: grpc.ServicerContext):
        def handle():
            raise unimplemented(
                "HandleReloadConfigRequest is not implemented by tfface serve: new versions "
                "are picked up from disk automatically; restart to change models.config"
            )

        return _answer(context, handle)
