"""`tfface serve` with no servable version at start: a clear error, or `--allow-empty` waits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from server_process import SERVER_START_SECONDS, start_server
from toy_export import MODEL, toy_images

from serving.client import GrpcClient, ServingClientError
from serving.server import ModelServer, ServerOptions, entries_from_arguments


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def version_available(client: GrpcClient) -> bool:
    try:
        return client.status(MODEL)[0]["state"] == "AVAILABLE"
    except ServingClientError:  # NOT_FOUND until the first version is seen
        return False


def start_in_process(entries, **options) -> None:
    """ModelServer(entries).start() on any free gRPC port without REST; stops it if it started."""
    server = ModelServer(entries, ServerOptions(grpc_port=0, rest_port=-1, **options))
    try:
        server.start()
    finally:
        server.stop()


def test_unknown_model_name_exits_with_an_error_naming_the_paths(fresh_base: Path) -> None:
    command = [sys.executable, "-m", "tfface", "serve", "--model-base", str(fresh_base)]
    command += ["--model-name", "nosuch", "--grpc-port", "0", "--rest-port", "0"]
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=SERVER_START_SECONDS, env=environment
    )
    assert finished.returncode == 2
    assert "ready" not in finished.stdout
    error = finished.stderr
    assert "no servable version" in error
    assert str(fresh_base.resolve() / "nosuch") in error  # where it looked
    assert f"{MODEL}/" in error  # what is there instead
    assert "--allow-empty" in error


def test_model_config_with_a_missing_base_is_an_error(fresh_base: Path, tmp_path: Path) -> None:
    config = tmp_path / "models.config"
    config.write_text(
        "model_config_list {\n"
        f"  config {{ name: 'toy' base_path: '{fresh_base / MODEL}' }}\n"
        "  config { name: 'gone' base_path: 'no/such/folder' }\n"
        "}\n"
    )
    entries = entries_from_arguments(str(config), None, None)
    with pytest.raises(ValueError, match="no servable version") as caught:
        start_in_process(entries, poll_seconds=0)
    error = str(caught.value)
    assert "model 'gone'" in error
    assert str(tmp_path / "no" / "such" / "folder") in error
    assert "does not exist" in error
    assert "model 'toy'" not in error  # the model with a version is not blamed


def test_a_version_folder_without_saved_model_is_named(tmp_path: Path) -> None:
    (tmp_path / "models" / MODEL / "1").mkdir(parents=True)
    entries = entries_from_arguments(None, str(tmp_path / "models"), MODEL)
    with pytest.raises(ValueError, match="no servable version") as caught:
        start_in_process(entries, poll_seconds=0)
    assert "1/ (no saved_model.pb)" in str(caught.value)


def test_allow_empty_waits_and_picks_up_the_first_version(toy_export, tmp_path: Path) -> None:
    base = tmp_path / "models"
    base.mkdir()
    server = start_server(
        "--model-base",
        str(base),
        "--model-name",
        MODEL,
        "--allow-empty",
        "--poll-seconds",
        "0.3",
    )
    try:
        output = "".join(server.output)
        assert f"waiting for a version in {base.resolve() / MODEL}" in output
        client = GrpcClient(server.grpc_address)
        with pytest.raises(ServingClientError):
            client.predict(MODEL, {"image": toy_images(1)})
        staging = tmp_path / "staging"
        shutil.copytree(toy_export.version_dir, staging)
        (base / MODEL).mkdir()
        staging.rename(base / MODEL / "1")  # a pusher moves a finished version into place
        assert wait_for(lambda: version_available(client))
        assert client.predict(MODEL, {"image": toy_images(1)})["image"].shape == (1, 8, 8, 3)
        client.close()
    finally:
        assert server.terminate() == 0


def test_allow_empty_needs_polling(tmp_path: Path) -> None:
    entries = entries_from_arguments(None, str(tmp_path), MODEL)
    with pytest.raises(ValueError, match="--poll-seconds"):
        start_in_process(entries, poll_seconds=0, allow_empty=True)
