"""Serving fixtures: a trained toy run, its export, and a `tfface serve` subprocess.

The toy system (tests/helpers/toy_system.py) is trained for 4 steps and exported once
per session; the server runs as a real subprocess (see server_process.py).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from server_process import ServerProcess, start_server  # noqa: E402
from toy_export import MODEL, register_toy_export  # noqa: E402

from tfface.export.writer import ExportResult, export_run  # noqa: E402
from tfface.runs.train import TrainRequest, train  # noqa: E402


@pytest.fixture(scope="session")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-step toy training run directory."""
    register_toy_export()
    run_dir = tmp_path_factory.mktemp("serving") / "run"
    train(TrainRequest("toy", str(run_dir), preset="tiny", verbose=0))
    return run_dir


@pytest.fixture(scope="session")
def toy_export(toy_run: Path, tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    """`<base>/toy/1` exported from the toy run."""
    register_toy_export()
    base = tmp_path_factory.mktemp("models")
    return export_run(toy_run, base, MODEL)


@pytest.fixture(scope="session")
def toy_server(toy_export: ExportResult) -> Iterator[ServerProcess]:
    """The toy export served with a 1 MB message limit."""
    base = toy_export.version_dir.parent.parent
    server = start_server(
        "--model-base", str(base), "--model-name", MODEL, "--max-message-bytes", "1000000"
    )
    yield server
    assert server.terminate() == 0


@pytest.fixture
def fresh_base(toy_export: ExportResult, tmp_path: Path) -> Path:
    """A model base holding a copy of version 1 only (for tests that add versions)."""
    base = tmp_path / "models"
    shutil.copytree(toy_export.version_dir, base / MODEL / "1")
    return base
