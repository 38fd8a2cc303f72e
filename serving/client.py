"""Clients for TF Serving and `tfface serve`: gRPC (`GrpcClient`) and REST (`RestClient`).

Both have the same methods and answer NumPy arrays:

    with GrpcClient("localhost:8500") as client:          # or RestClient("localhost:8501")
        outputs = client.predict("faces", {"image": images_uint8})   # {"image": uint8 ...}
        client.signatures("faces")     # {name: SignatureInfo(inputs, outputs)}
        client.status("faces")         # [{"version": 3, "state": "AVAILABLE", ...}]

Calls have a timeout and retry with exponential backoff on UNAVAILABLE (HTTP 503) and
connection errors only; any other failure raises `ServingClientError` at once, with the
status code and the server's message.
"""

from __future__ import annotations

from serving.client_errors import ServingClientError
from serving.grpc_client import GrpcClient
from serving.rest_client import RestClient
from serving.retry import RetryPolicy
from serving.signature_info import SignatureInfo, TensorInfo

__all__ = [
    "GrpcClient",
    "RestClient",
    "RetryPolicy",
    "ServingClientError",
    "SignatureInfo",
    "TensorInfo",
    "connect",
]


def connect(address: str, rest: bool = False, timeout: float = 30.0) -> GrpcClient | RestClient:
    """A gRPC client (default) or a REST client for `address` ("host:port")."""
    return RestClient(address, timeout=timeout) if rest else GrpcClient(address, timeout=timeout)
