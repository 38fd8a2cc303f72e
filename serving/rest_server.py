"""The REST front end: TF Serving's REST API on the standard library's HTTP server.

    GET  /v1/models/<name>[/versions/<v>]             model status
    GET  /v1/models/<name>[/versions/<v>]/metadata    signature metadata
    POST /v1/models/<name>[/versions/<v>]:predict     {"instances": ...} or {"inputs": ...}
    GET  /healthz                                      200 when every model has a version
    GET  /monitoring/prometheus/metrics                request metrics (Prometheus text)

Errors answer {"error": message} with TF Serving's HTTP status for the code (400 bad
input, 404 unknown model or version, 413 request too large, 501 classify / regress /
version labels...). `:predict`, `:classify` and `:regress` requests are counted and timed in
the server's RequestMetrics (serving/monitoring.py), errors included. Connections are
HTTP/1.1 keep-alive; `stop()` stops accepting, lets requests in progress finish, and
closes idle connections.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from serving.errors import (
    ServingError,
    invalid_argument,
    not_found,
    resource_exhausted,
    unimplemented,
)
from serving.metadata import metadata_json, proto_to_json, status_response
from serving.model_manager import ModelManager
from serving.monitoring import (
    CONTENT_TYPE,
    METRICS_PATH,
    REST_ENTRYPOINT,
    RequestMetrics,
    RequestObservation,
)
from serving.prediction import predict
from serving.rest_json import loads, outputs_to_json, parse_predict_body

LOGGER = logging.getLogger("tfface.serve")
MODEL_PATH = re.compile(
    r"^/v1/models/(?P<name>[^/:]+)"
    r"(?:/versions/(?P<version>\d+)|/labels/(?P<label>[^/:]+))?"
    r"(?P<tail>/metadata|:predict|:classify|:regress)?$"
)
IDLE_CONNECTION_SECONDS = 30
# Oversized bodies up to this many times the limit are read and dropped before the 413, so
# the client sees the answer; larger ones get the answer and a closed connection.
DRAIN_FACTOR = 4
API_BY_TAIL = {":predict": "Predict", ":classify": "Classify", ":regress": "Regress"}


class RestServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections so it can stop gracefully.

    Args:
        address: (host, port) to listen on (port 0: any free port).
        manager: the served models.
        max_body_bytes: the largest request body accepted.
        metrics: request metrics, recorded and served at METRICS_PATH (None: neither).
    """

    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        manager: ModelManager,
        max_body_bytes: int,
        metrics: RequestMetrics | None = None,
    ):
        self.manager = manager
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        self.stopping = False
        self.connections_lock = threading.Lock()
        self.idle_connections: set[socket.socket] = set()
        super().__init__(address, RestHandler)

    def stop(self) -> None:
        """Stops accepting, closes idle connections, waits for requests in progress."""
        self.shutdown()
        with self.connections_lock:
            self.stopping = True
            for connection in self.idle_connections:
                try:
                    connection.shutdown(socket.SHUT_RD)
                except OSError:
                    pass
        self.server_close()


class RestHandler(BaseHTTPRequestHandler):
    """One connection: requests are parsed, routed, answered as JSON."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_CONNECTION_SECONDS
    server: RestServer
    server_version = "tfface-serve"

    def setup(self) -> None:
        super().setup()
        # Answers are written in pieces: without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.idle_connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.idle_connections.discard(self.connection)
        super().finish()

    def handle_one_request(self) -> None:
        """As the standard library's, with the connection marked busy while a request runs."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        with self.server.connections_lock:
            self.server.idle_connections.discard(self.connection)
            stopping = self.server.stopping
        try:
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return
            if not self.parse_request():
                return
            if stopping:
                self.close_connection = True
            method = getattr(self, f"do_{self.command}", None)
            if method is None:
                self.send_error(501, f"Unsupported method ({self.command!r})")
                return
            method()
            self.wfile.flush()
        finally:
            with self.server.connections_lock:
                if self.server.stopping:
                    self.close_connection = True
                elif not self.close_connection:
                    self.server.idle_connections.add(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        LOGGER.debug("%s - %s", self.address_string(), format % args)

    # -- answers -------------------------------------------------------------------------
    def _send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _send_error_json(self, error: ServingError) -> None:
        self._send_json(error.http_status, {"error": error.message})

    def _send_text(self, body: str, content_type: str) -> None:
        encoded = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(encoded)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(encoded)

    def _guarded(self, handler, observation: RequestObservation | None = None) -> None:
        """Runs `handler` and answers; `observation` records the request's status code."""
        try:
            status, payload = handler()
        except ServingError as error:
            if observation is not None:
                observation.finish(error.code.name)
            self._send_error_json(error)
            return
        except Exception as error:  # a bug must not kill the connection thread silently
            LOGGER.exception("internal error")
            if observation is not None:
                observation.finish("INTERNAL")
            self._send_json(500, {"error": f"internal error: {error}"})
            return
        if observation is not None:
            observation.finish("OK")
        self._send_json(status, payload)

    def _read_body(self) -> bytes:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            raise invalid_argument("a Content-Length header is required")
        try:
            length = int(length_header)
        except ValueError as error:
            self.close_connection = True
            raise invalid_argument(f"bad Content-Length {length_header!r}") from error
        if length > self.server.max_body_bytes:
            if length <= DRAIN_FACTOR * self.server.max_body_bytes:
                self._discard(length)  # so the client reads the answer, not a reset
            self.close_connection = True
            raise resource_exhausted(
                f"request body of {length} bytes is larger than the server's limit of "
                f"{self.server.max_body_bytes} bytes (--max-message-bytes)"
            )
        return self.rfile.read(length)

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                return
            length -= len(chunk)

    # -- routes --------------------------------------------------------------------------
    def _route(self) -> tuple[re.Match | None, str]:
        path = self.path.split("?", 1)[0]
        return MODEL_PATH.match(path), path

    def _not_found(self, path: str) -> ServingError:
        return not_found(
            f"Malformed request: {self.command} {path}; expected /v1/models/<name>"
            "[/versions/<version>][/metadata|:predict] or /healthz",
        )

    def _version(self, match: re.Match) -> int | None:
        if match.group("label"):
            raise unimplemented(
                f"version label {match.group('label')!r}: version labels are not supported by "
                "tfface serve; use /versions/<number>"
            )
        return int(match.group("version")) if match.group("version") else None

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == METRICS_PATH and self.server.metrics is not None:
            self._send_text(self.server.metrics.render(), CONTENT_TYPE)
            return

        def handle() -> tuple[int, Any]:
            match, path = self._route()
            if path == "/healthz":
                ready = self.server.manager.is_ready()
                return (200 if ready else 503), {"status": "ok" if ready else "loading"}
            if match is None or match.group("tail") not in (None, "/metadata"):
                raise self._not_found(path)
            name, version = match.group("name"), self._version(match)
            manager = self.server.manager
            if match.group("tail") == "/metadata":
                servable = manager.servable(name, version)
                return 200, metadata_json(name, servable.version, servable.signature_def_map)
            return 200, proto_to_json(status_response(manager.status(name, version)))

        self._guarded(handle)

    def do_POST(self) -> None:
        match, path = self._route()
        observation = None
        if match is not None and match.group("tail") in API_BY_TAIL:
            observation = RequestObservation(
                self.server.metrics,
                self.server.manager,
                API_BY_TAIL[match.group("tail")],
                REST_ENTRYPOINT,
                match.group("name"),
            )

        def handle() -> tuple[int, Any]:
            body = self._read_body()
            if match is None or match.group("tail") not in (":predict", ":classify", ":regress"):
                raise self._not_found(path)
            if match.group("tail") != ":predict":
                raise unimplemented(f"{match.group('tail')[1:]} is not implemented; use :predict")
            request = loads(body)
            signature_name = request.get("signature_name") or "serving_default"
            if not isinstance(signature_name, str):
                raise invalid_argument('"signature_name" must be a string')
            observation.signature_name = signature_name
            formats: list[str] = []

            def decode(runner):
                arrays, request_format = parse_predict_body(request, runner.input_specs)
                formats.append(request_format)
                return arrays

            _, _, outputs = predict(
                self.server.manager,
                match.group("name"),
                self._version(match),
                signature_name,
                decode,
            )
            return 200, outputs_to_json(outputs, row_format=formats[0] == "row")

        self._guarded(handle, observation)
