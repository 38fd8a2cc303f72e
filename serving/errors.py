"""Serving errors: one exception with a canonical status code, for gRPC and REST alike.

Every failure of a request is a `ServingError(code, message)`; the gRPC service aborts
with the code, the REST server answers the HTTP status TF Serving uses for it and
`{"error": message}`. TensorFlow runtime errors keep their canonical code (the numbers
of `tf.errors` and gRPC status codes are the same).
"""

from __future__ import annotations

import grpc
import tensorflow as tf

# gRPC status code -> HTTP status, as TF Serving's REST API (http_server.cc), except that
# an oversized request is 413 Payload Too Large.
HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 413,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
    grpc.StatusCode.UNAUTHENTICATED: 401,
}
_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}
MAX_RUNTIME_MESSAGE = 600


class ServingError(Exception):
    """A request failed with a canonical status `code` and a message saying what was expected."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        """The REST status code."""
        return HTTP_STATUS.get(self.code, 500)

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"


def invalid_argument(message: str) -> ServingError:
    return ServingError(grpc.StatusCode.INVALID_ARGUMENT, message)


def not_found(message: str) -> ServingError:
    return ServingError(grpc.StatusCode.NOT_FOUND, message)


def resource_exhausted(message: str) -> ServingError:
    return ServingError(grpc.StatusCode.RESOURCE_EXHAUSTED, message)


def unimplemented(message: str) -> ServingError:
    return ServingError(grpc.StatusCode.UNIMPLEMENTED, message)


def unavailable(message: str) -> ServingError:
    return ServingError(grpc.StatusCode.UNAVAILABLE, message)


def from_tensorflow_error(error: tf.errors.OpError) -> ServingError:
    """A TensorFlow runtime error with its own code and the first part of its message."""
    code = _BY_NUMBER.get(error.error_code, grpc.StatusCode.INTERNAL)
    message = (error.message or type(error).__name__).strip()
    # Keep TF's own explanation: drop "Graph execution error: Detected at node ..." before
    # it and the node / op trace after it.
    message = message.split("<stack traces unavailable>")[-1]
    message = message.split("\n\t [[")[0].split(" [Op:")[0].split("\n\nStack trace")[0]
    message = " ".join(message.split())
    if len(message) > MAX_RUNTIME_MESSAGE:
        message = message[:MAX_RUNTIME_MESSAGE] + "..."
    return ServingError(code, message)
