"""The error clients raise when the server answers a failure."""

from __future__ import annotations

import grpc


class ServingClientError(Exception):
    """A request failed: canonical `code` (grpc.StatusCode), the server's message, HTTP status.

    `http_status` is None for gRPC calls.
    """

    def __init__(self, code: grpc.StatusCode, message: str, http_status: int | None) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
