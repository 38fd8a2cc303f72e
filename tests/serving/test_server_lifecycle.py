"""Version hot-swap without restart, version policies from models.config, SIGTERM mid-request."""

from __future__ import annotations

import threading
import time

import grpc
import numpy as np
import pytest
from server_process import start_server
from toy_export import MODEL, register_toy_export, toy_images

from serving.client import GrpcClient, RestClient, ServingClientError
from tfface.export.writer import export_run

LATENCY_MS = 1500


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def slow_server_base(toy_export, tmp_path_factory):
    import shutil

    base = tmp_path_factory.mktemp("lifecycle")
    shutil.copytree(toy_export.version_dir, base / MODEL / "1")
    return base


@pytest.fixture(scope="module")
def slow_server(slow_server_base):
    """Every model run sleeps LATENCY_MS (test flag); new versions are polled every 0.3 s."""
    server = start_server(
        "--model-base",
        str(slow_server_base),
        "--model-name",
        MODEL,
        "--poll-seconds",
        "0.3",
        "--simulate-latency-ms",
        str(LATENCY_MS),
    )
    yield server
    server.terminate()


def test_new_version_is_picked_up_without_restart(slow_server, slow_server_base, toy_run) -> None:
    client = GrpcClient(slow_server.grpc_address)
    assert [entry["version"] for entry in client.status(MODEL)] == [1]
    register_toy_export()
    export_run(toy_run, slow_server_base, MODEL)  # version 2, renamed into place atomically
    assert wait_for(
        lambda: (
            client.status(MODEL)[0]["state"] == "AVAILABLE"
            and client.status(MODEL)[0]["version"] == 2
        )
    )
    states = {entry["version"]: entry["state"] for entry in client.status(MODEL)}
    assert states == {2: "AVAILABLE", 1: "END"}
    images = toy_images(1)
    outputs = client.predict(MODEL, {"image": images})
    assert outputs["image"].shape == (1, 8, 8, 3)
    with pytest.raises(ServingClientError) as caught:
        client.predict(MODEL, {"image": images}, version=1)
    assert caught.value.code == grpc.StatusCode.NOT_FOUND
    assert RestClient(slow_server.rest_address).status(MODEL)[0]["version"] == 2
    client.close()


def test_sigterm_finishes_the_request_in_progress(slow_server) -> None:
    client = GrpcClient(slow_server.grpc_address, timeout=60)
    result: dict = {}

    def request() -> None:
        try:
            result["outputs"] = client.predict(MODEL, {"image": toy_images(1)})
        except Exception as error:  # reported by the assertion below
            result["error"] = error

    thread = threading.Thread(target=request)
    thread.start()
    # A head start, not a measurement: the server shows no request in progress, and the
    # request needs LATENCY_MS in the model run, so it is there well before it answers.
    time.sleep(LATENCY_MS / 3000)
    exit_code = slow_server.terminate()  # waits for the process to exit (60 s at most)
    thread.join(60)
    assert not thread.is_alive()  # the request was answered, or failed: not left hanging
    assert exit_code == 0
    assert "error" not in result, result.get("error")
    assert result["outputs"]["image"].shape == (1, 8, 8, 3)
    assert "tfface serve: stopped" in "".join(slow_server.output) or exit_code == 0
    with pytest.raises(ServingClientError) as caught:
        GrpcClient(slow_server.grpc_address, timeout=5).status(MODEL)
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


def test_specific_version_policy_from_models_config(fresh_base, toy_run, tmp_path) -> None:
    register_toy_export()
    export_run(toy_run, fresh_base, MODEL, verify=False)  # version 2
    config = tmp_path / "models.config"
    config.write_text(
        "model_config_list { config { name: 'toy' base_path: '%s' model_platform: 'tensorflow' "
        "model_version_policy { specific { versions: 1 versions: 2 } } } }" % (fresh_base / MODEL)
    )
    server = start_server("--model-config", str(config), "--poll-seconds", "0")
    try:
        client = GrpcClient(server.grpc_address)
        states = {entry["version"]: entry["state"] for entry in client.status(MODEL)}
        assert states == {1: "AVAILABLE", 2: "AVAILABLE"}
        images = toy_images(1)
        first = client.predict(MODEL, {"image": images}, version=1)["image"]
        latest = client.predict(MODEL, {"image": images})["image"]
        np.testing.assert_array_equal(first, latest)  # same weights, both versions served
        client.close()
    finally:
        assert server.terminate() == 0
