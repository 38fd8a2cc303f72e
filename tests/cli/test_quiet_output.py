"""TensorFlow's start-up banner, CUDA probe messages and Beam's warnings are hidden unless
`tfface --verbose` (each command runs in a fresh interpreter, where TensorFlow starts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfface.cli.quiet import filtered_child_stderr, is_noise, library_output
from tfface.data.features import SCHEMA_VERSION

NOISE_MARKERS = ("absl::InitializeLog", "cuda", "cuDNN", "oneDNN", "cpu_feature_guard", "apitools")


def run_tfface(*argv: str) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("TF_CPP_MIN_LOG_LEVEL", "GRPC_VERBOSITY")
    }
    return subprocess.run(
        [sys.executable, "-m", "tfface", *argv], capture_output=True, text=True, env=environment
    )


def empty_dataset(folder: Path) -> Path:
    """A dataset folder with no records whose info file agrees (valid, and reading it starts TF)."""
    folder.mkdir()
    info = {"schema_version": SCHEMA_VERSION, "features": [], "counts": {}, "inputs": 0}
    (folder / "dataset_info.json").write_text(json.dumps({**info, "accepted": 0, "rejected": 0}))
    return folder


def assert_quiet(stderr: str) -> None:
    noisy = [line for line in stderr.splitlines() if any(m in line for m in NOISE_MARKERS)]
    assert not noisy, "\n".join(noisy)


def test_a_tensorflow_command_prints_no_start_up_messages(tmp_path: Path) -> None:
    result = run_tfface("data", "validate", str(empty_dataset(tmp_path / "data")))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert_quiet(result.stderr)


def test_a_beam_job_help_prints_no_library_warnings() -> None:
    result = run_tfface("data", "build", "synthfaces", "--help")
    assert result.returncode == 0, result.stderr
    assert "--identities" in result.stdout
    assert_quiet(result.stderr)


def test_noise_lines_are_recognised() -> None:
    assert is_noise(
        "I0000 00:00:1796282336.238760   14586 cudart_stub.cc:31] Could not find cuda drivers"
    )
    assert is_noise(
        "E0000 00:00:1796282370.237398   14912 cuda_platform.cc:52] failed call to cuInit"
    )
    assert is_noise("WARNING: All log messages before absl::InitializeLog() is called are written")
    assert not is_noise("tfface data build synthfaces: 1 input items -> out")
    assert not is_noise("Traceback (most recent call last):")
    assert not is_noise("F0000 00:00:1796282370.237398   14912 cpu_feature_guard.cc:40] fatal")


@pytest.mark.parametrize("verbose", [False, True])
def test_library_output_sets_and_restores_the_environment(
    verbose: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    with library_output(verbose=verbose):
        inside = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    assert inside == (None if verbose else "3")
    assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ


def test_library_output_keeps_the_user_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    with library_output(verbose=False):
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "1"


CHILD_OUTPUT = (
    "INFO:__main__:Logging handler created.\n"
    "I0000 00:00:1796282336.238760   14586 port.cc:153] oneDNN custom operations are on.\n"
    "WARNING:apache_beam.io.tfrecordio:Couldn't find python-snappy or google-crc32c\n"
    "WARNING:root:rejecting synthfaces/7: corrupt_image\n"
    "ERROR:apache_beam.runners.worker.sdk_worker:Error processing instruction\n"
)


def test_beam_worker_chatter_is_filtered_and_their_problems_kept(
    capfd: pytest.CaptureFixture,
) -> None:
    """What a Beam worker process writes to the inherited stderr, as under multi_processing."""
    with filtered_child_stderr():
        subprocess.run(
            [sys.executable, "-c", f"import sys; sys.stderr.write({CHILD_OUTPUT!r})"], check=True
        )
        print("tfface data build synthfaces: 8 input items -> out", file=sys.stderr)
    error = capfd.readouterr().err
    assert "rejecting synthfaces/7" in error and "Error processing instruction" in error
    assert "8 input items" in error
    for hidden in ("Logging handler", "oneDNN", "python-snappy"):
        assert hidden not in error


@pytest.mark.parametrize(
    ("argv", "library_output", "serve_verbose"),
    [
        (["--verbose", "serve", "--model-base", "m", "--model-name", "n"], True, False),
        (["serve", "--model-base", "m", "--model-name", "n", "--verbose"], False, True),
    ],
)
def test_global_verbose_is_not_the_serve_verbose(
    argv: list[str], library_output: bool, serve_verbose: bool
) -> None:
    from tfface.cli.main import build_parser

    args = build_parser(["serve"]).parse_args(argv)
    assert (args.library_output, args.verbose) == (library_output, serve_verbose)
