"""REST client for TF Serving and `tfface serve` (JSON over HTTP/1.1 keep-alive)."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import grpc
import numpy as np

from serving.client_errors import ServingClientError
from serving.retry import RetryPolicy
from serving.signature_info import SignatureInfo, signatures_from_metadata_json

HTTP_TO_CODE = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    404: grpc.StatusCode.NOT_FOUND,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


class _Unavailable(Exception):
    """HTTP 503: retried like gRPC UNAVAILABLE."""

    def __init__(self, error: ServingClientError) -> None:
        super().__init__(str(error))
        self.error = error


def _retryable(error: BaseException) -> bool:
    return isinstance(
        error, _Unavailable | ConnectionError | http.client.RemoteDisconnected
    ) and not isinstance(error, TimeoutError)


def _encode(value: Any) -> Any:
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind == "S":

        def encode(item: Any) -> dict:
            data = item if isinstance(item, bytes) else str(item).encode("utf-8")
            return {"b64": base64.b64encode(data).decode("ascii")}

        return np.vectorize(encode, otypes=[object])(array).tolist()
    return array.tolist()


def _decode(value: Any, dtype: str) -> np.ndarray:
    if dtype == "string":

        def decode(item: Any) -> bytes:
            if isinstance(item, dict):
                return base64.b64decode(item["b64"])
            return str(item).encode("utf-8")

        array = np.empty(np.shape(value) if isinstance(value, list) else (), dtype=object)
        flat = np.asarray(value, dtype=object)
        array[...] = np.vectorize(decode, otypes=[object])(flat) if flat.size else flat
        return array
    return np.asarray(value, dtype=dtype)


class RestClient:
    """Calls a model server's REST API.

    Args:
        address: "host:port" of the REST port (8501 by default) or "http://host:port".
        timeout: seconds per request.
        retry: retries on connection errors and HTTP 503 only.
    """

    def __init__(
        self, address: str, timeout: float = 30.0, retry: RetryPolicy | None = None
    ) -> None:
        parts = urlsplit(address if "://" in address else f"http://{address}")
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"REST address must be host:port or http://host:port, got {address!r}")
        self.host, self.port = parts.hostname, parts.port or 8501
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._local = threading.local()
        self._signatures: dict[tuple[str, int | None], dict[str, SignatureInfo]] = {}

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._local.connection = connection
        return connection

    def _request_once(self, method: str, path: str, body: bytes | None) -> Any:
        connection = self._connection()
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except Exception:
            connection.close()
            self._local.connection = None
            raise
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            self._local.connection = None
        try:
            payload = json.loads(data) if data else {}
        except json.JSONDecodeError:
            payload = {"error": data.decode("utf-8", "replace")}
        if response.status != 200:
            code = HTTP_TO_CODE.get(response.status, grpc.StatusCode.UNKNOWN)
            message = payload.get("error", "") if isinstance(payload, dict) else str(payload)
            error = ServingClientError(code, message, response.status)
            if response.status == 503:
                raise _Unavailable(error)
            raise error
        return payload

    def _request(self, method: str, path: str, payload: Any = None) -> Any:
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        try:
            return self.retry.call(lambda: self._request_once(method, path, body), _retryable)
        except _Unavailable as unavailable:
            raise unavailable.error from None

    @staticmethod
    def _model_path(model: str, version: int | None) -> str:
        return f"/v1/models/{model}" + (f"/versions/{version}" if version is not None else "")

    def signatures(self, model: str, version: int | None = None) -> dict[str, SignatureInfo]:
        """The model's signatures (GET .../metadata); cached per model and version."""
        key = (model, version)
        if key not in self._signatures:
            metadata = self._request("GET", self._model_path(model, version) + "/metadata")
            self._signatures[key] = signatures_from_metadata_json(metadata)
        return self._signatures[key]

    def status(self, model: str, version: int | None = None) -> list[dict]:
        """[{"version", "state", "error_code", "error_message"}] (GET /v1/models/...)."""
        answer = self._request("GET", self._model_path(model, version))
        return [
            {
                "version": int(entry["version"]),
                "state": entry["state"],
                "error_code": entry["status"]["error_code"],
                "error_message": entry["status"].get("error_message", ""),
            }
            for entry in answer["model_version_status"]
        ]

    def predict(
        self,
        model: str,
        inputs: Mapping[str, np.ndarray],
        signature: str = "serving_default",
        version: int | None = None,
        row_format: bool = False,
    ) -> dict[str, np.ndarray]:
        """Runs `signature` of `model` (columnar "inputs", or row "instances" format)."""
        info = self.signatures(model, version).get(signature)
        if row_format:
            names = list(inputs)
            count = len(next(iter(inputs.values())))
            instances = [
                {name: _encode(inputs[name][index]) for name in names} for index in range(count)
            ]
            payload: dict[str, Any] = {"signature_name": signature, "instances": instances}
        else:
            payload = {
                "signature_name": signature,
                "inputs": {name: _encode(value) for name, value in inputs.items()},
            }
        answer = self._request("POST", self._model_path(model, version) + ":predict", payload)
        output_names = sorted(info.outputs) if info else []
        if row_format:
            rows = answer["predictions"]
            if len(output_names) == 1:
                columns = {output_names[0]: rows}
            else:
                columns = {name: [row[name] for row in rows] for name in (rows[0] if rows else {})}
        else:
            outputs = answer["outputs"]
            named = isinstance(outputs, dict) and set(outputs) != {"b64"}
            columns = outputs if named else {output_names[0]: outputs}
        return {
            name: _decode(
                value, info.outputs[name].dtype if info and name in info.outputs else "float32"
            )
            for name, value in columns.items()
        }

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
