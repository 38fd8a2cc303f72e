"""`tfface serve`: a TF Serving-compatible model server (gRPC + REST) for exported models.

The gRPC port serves tensorflow.serving.PredictionService and ModelService (the official
tensorflow-serving-api protos, so `PredictionServiceStub` clients work unchanged), the
REST port serves TF Serving's REST API. Models come from a models.config or from one
model folder; new versions are picked up by polling, loaded, warmed up and swapped in
without a restart. A model with no servable version at start is an error naming the
folder looked in (serving/model_folders.py) unless `allow_empty`. The REST port also
serves request metrics at /monitoring/prometheus/metrics (serving/monitoring.py).
SIGTERM / SIGINT stop the server gracefully: no new requests are accepted, requests in
progress finish, and the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from tensorflow_serving.apis import model_service_pb2_grpc, prediction_service_pb2_grpc

from serving.batching import BatchingOptions
from serving.grpc_service import ModelService, PredictionService
from serving.model_config import ModelEntry, read_model_config
from serving.model_folders import (
    NoServableVersionError,
    missing_version_line,
    no_versions_message,
    single_model_entry,
)
from serving.model_manager import ModelManager
from serving.monitoring import METRICS_PATH, RequestMetrics
from serving.rest_server import RestServer
from serving.servable import ServableOptions

LOGGER = logging.getLogger("tfface.serve")
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ServerOptions:
    """Ports, limits, batching and polling of the server.

    Attributes:
        host: interface to listen on (127.0.0.1: this machine only; 0.0.0.0: all).
        grpc_port: gRPC port (0: any free port; the chosen one is printed).
        rest_port: REST port (0: any free port; -1: no REST server).
        max_message_bytes: largest request (gRPC message or REST body) accepted.
        batching: server-side batching.
        poll_seconds: how often model folders are checked for new versions (<= 0: never).
        grpc_workers: gRPC worker threads (must exceed the batch size to fill batches).
        grace_seconds: how long shutdown waits for requests in progress.
        simulate_latency_ms: tests only: sleep this long in every model run.
        allow_empty: start even if a model has no servable version yet, and wait for one
            (found by polling); otherwise such a start is an error.
        monitoring: serve request metrics at /monitoring/prometheus/metrics on the REST port.
    """

    host: str = "127.0.0.1"
    grpc_port: int = 8500
    rest_port: int = 8501
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    batching: BatchingOptions = field(default_factory=BatchingOptions)
    poll_seconds: float = 2.0
    grpc_workers: int = 32
    grace_seconds: float = 60.0
    simulate_latency_ms: float = 0.0
    allow_empty: bool = False
    monitoring: bool = True


class ModelServer:
    """The gRPC and REST servers over one ModelManager."""

    def __init__(self, entries: list[ModelEntry], options: ServerOptions) -> None:
        self.options = options
        self.manager = ModelManager(
            entries, ServableOptions(options.batching, options.simulate_latency_ms)
        )
        self.metrics = RequestMetrics() if options.monitoring else None
        self.grpc_server: grpc.Server | None = None
        self.rest_server: RestServer | None = None
        self.grpc_port = 0
        self.rest_port = 0
        self._rest_thread: threading.Thread | None = None

    def start(self) -> None:
        """Loads the models (and warms them up), then opens the ports.

        Raises NoServableVersionError (before opening any port) if a model has no version
        that loaded, unless `allow_empty`.
        """
        options = self.options
        if options.allow_empty and options.poll_seconds <= 0:
            raise ValueError(
                "--allow-empty waits for versions found by polling the model folders: "
                "give --poll-seconds > 0"
            )
        self.manager.poll_once()
        if not options.allow_empty:
            self.check_versions()
        self.grpc_server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=options.grpc_workers),
            options=[
                ("grpc.max_receive_message_length", options.max_message_bytes),
                ("grpc.max_send_message_length", options.max_message_bytes),
                ("grpc.so_reuseport", 0),
            ],
        )
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
            PredictionService(self.manager, options.max_message_bytes, self.metrics),
            self.grpc_server,
        )
        model_service_pb2_grpc.add_ModelServiceServicer_to_server(
            ModelService(self.manager), self.grpc_server
        )
        address = f"{options.host}:{options.grpc_port}"
        try:
            self.grpc_port = self.grpc_server.add_insecure_port(address)
        except RuntimeError as error:
            raise ValueError(f"cannot listen on {address} (gRPC): {error}") from error
        if self.grpc_port == 0:
            raise ValueError(f"cannot listen on {address} (gRPC): port in use?")
        self.grpc_server.start()
        if options.rest_port >= 0:
            try:
                self.rest_server = RestServer(
                    (options.host, options.rest_port),
                    self.manager,
                    options.max_message_bytes,
                    self.metrics,
                )
            except OSError as error:
                self.grpc_server.stop(0)
                raise ValueError(
                    f"cannot listen on {options.host}:{options.rest_port} (REST): {error}"
                ) from error
            self.rest_port = self.rest_server.server_address[1]
            self._rest_thread = threading.Thread(
                target=self.rest_server.serve_forever, name="tfface-rest", daemon=True
            )
            self._rest_thread.start()
        self.manager.start_polling(options.poll_seconds)

    def check_versions(self) -> None:
        """Raises NoServableVersionError naming every model without a servable version."""
        missing = self.manager.models_without_versions()
        if missing:
            lines = [
                missing_version_line(entry, self.manager.load_errors(entry.name))
                for entry in missing
            ]
            raise NoServableVersionError(no_versions_message(lines))

    def stop(self) -> None:
        """Stops accepting requests, lets the ones in progress finish."""
        self.manager.stop()
        done = self.grpc_server.stop(self.options.grace_seconds) if self.grpc_server else None
        if self.rest_server is not None:
            self.rest_server.stop()
        if done is not None:
            done.wait(self.options.grace_seconds)

    def describe(self) -> str:
        """One line with the addresses, printed when the server is ready."""
        rest = f" rest={self.options.host}:{self.rest_port}" if self.rest_server else ""
        return f"tfface serve: ready grpc={self.options.host}:{self.grpc_port}{rest}"


def run_server(entries: list[ModelEntry], options: ServerOptions) -> int:
    """Serves until SIGTERM or SIGINT, then stops gracefully; returns the exit code (0)."""
    server = ModelServer(entries, options)
    stop_requested = threading.Event()

    def request_stop(signal_number: int, frame: object) -> None:
        stop_requested.set()

    previous = {
        number: signal.signal(number, request_stop) for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        server.start()
        for entry in entries:
            versions = server.manager.available_versions(entry.name)
            print(
                f"tfface serve: model {entry.name} from {entry.base_path} "
                f"(policy {entry.policy.describe()}), available versions {versions}",
                flush=True,
            )
            if not versions:
                print(
                    f"tfface serve: model {entry.name} has no servable version yet; waiting for "
                    f"a version in {entry.base_path} (checked every {options.poll_seconds:g} s)",
                    flush=True,
                )
        if server.rest_server is not None and server.metrics is not None:
            print(
                f"tfface serve: metrics at http://{options.host}:{server.rest_port}{METRICS_PATH}",
                flush=True,
            )
        print(server.describe(), flush=True)
        while not stop_requested.wait(0.5):
            pass
        print("tfface serve: stopping (finishing requests in progress)", flush=True)
        server.stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print("tfface serve: stopped", flush=True)
    return 0


def entries_from_arguments(
    model_config: str | None, model_base: str | None, model_name: str | None
) -> list[ModelEntry]:
    """--model-config FILE, or --model-base DIR --model-name NAME."""
    if model_config:
        if model_base or model_name:
            raise ValueError("give either --model-config or --model-base/--model-name, not both")
        return read_model_config(model_config)
    if not (model_base and model_name):
        raise ValueError("give --model-config FILE, or both --model-base DIR and --model-name NAME")
    return [single_model_entry(model_base, model_name)]


def configure_logging(verbose: bool) -> None:
    """Server logs to stderr (loads, unloads, errors; requests with --verbose)."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s tfface serve %(levelname)s: %(message)s",
    )
