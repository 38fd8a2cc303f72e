"""`tfface train`: run directory, exact resume, refusing to overwrite, MultiWorkerMirroredStrategy."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from toy_system import register_toy

from tfface.cli.main import main as cli_main
from tfface.runs.train import TrainRequest, train

HELPERS = str(Path(__file__).parents[1] / "helpers")


@pytest.fixture(autouse=True)
def toy() -> None:
    register_toy()


def checkpoint_weights(run_dir: Path) -> dict[str, np.ndarray]:
    """Every saved value (network weights, optimizer slots, EMA, step) except the save counter."""
    reader = tf.train.load_checkpoint(str(run_dir / "checkpoints"))
    names = [
        name
        for name in reader.get_variable_to_shape_map()
        if name.endswith("VARIABLE_VALUE") and not name.startswith("save_counter")
    ]
    assert len(names) > 10
    return {name: reader.get_tensor(name) for name in names}


def test_train_writes_a_run_directory(tmp_path: Path) -> None:
    summary = train(TrainRequest("toy", str(tmp_path / "run"), preset="tiny"))
    assert summary["steps"] == 4
    run = tmp_path / "run"
    assert (run / "config.yaml").exists() and json.loads((run / "run.json").read_text())[
        "steps"
    ] == 4
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("-4")
    assert list((run / "logs").glob("events.out.tfevents.*"))


def test_resume_continues_exactly(tmp_path: Path) -> None:
    train(TrainRequest("toy", str(tmp_path / "straight"), preset="tiny"))
    train(
        TrainRequest("toy", str(tmp_path / "resumed"), preset="tiny", overrides=("train.steps=2",))
    )
    summary = train(TrainRequest("toy", str(tmp_path / "resumed"), preset="tiny", resume=True))
    assert summary["steps"] == 4
    straight, resumed = (
        checkpoint_weights(tmp_path / "straight"),
        checkpoint_weights(tmp_path / "resumed"),
    )
    assert straight.keys() == resumed.keys()
    for name in straight:
        np.testing.assert_allclose(straight[name], resumed[name], atol=1e-6, err_msg=name)


def test_refuses_to_overwrite_and_to_resume_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    train(TrainRequest("toy", str(tmp_path / "run"), preset="tiny", overrides=("train.steps=2",)))
    with pytest.raises(ValueError, match="--resume"):
        train(TrainRequest("toy", str(tmp_path / "run"), preset="tiny"))
    with pytest.raises(ValueError, match="no checkpoint"):
        train(TrainRequest("toy", str(tmp_path / "empty"), preset="tiny", resume=True))
    assert cli_main(["train", "toy", "--out", str(tmp_path / "cli"), "--set", "train.stepz=3"]) == 2
    assert "train.stepz" in capsys.readouterr().err
    assert cli_main(["train", "nosuchsystem", "--out", str(tmp_path / "x")]) == 2


@pytest.mark.isolated
def test_mirrored_strategy_from_the_command(tmp_path: Path) -> None:
    if len(tf.config.list_logical_devices("CPU")) < 2:
        pytest.fail("needs 2 logical CPU devices")
    train(TrainRequest("toy", str(tmp_path / "single"), preset="tiny"))
    train(TrainRequest("toy", str(tmp_path / "mirrored"), preset="tiny", strategy="mirrored"))
    single, mirrored = (
        checkpoint_weights(tmp_path / "single"),
        checkpoint_weights(tmp_path / "mirrored"),
    )
    for name in single:
        np.testing.assert_allclose(single[name], mirrored[name], atol=1e-5, err_msg=name)


CPU_REPLICAS = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {helpers!r})
    from toy_system import register_toy
    from tfface.cli.main import main
    register_toy()
    sys.exit(main(["train", "toy", "--out", {run_dir!r}, "--set", "train.steps=1",
                   "--strategy", "mirrored", "--cpu-replicas", "2"]))
    """
)


def test_cpu_replicas_split_a_cpu_only_machine_for_mirrored(tmp_path: Path) -> None:
    """A fresh process (one CPU device) trains with 2 replicas from the command line."""
    run_dir = tmp_path / "run"
    script = CPU_REPLICAS.format(helpers=HELPERS, run_dir=str(run_dir))
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": "-1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run = json.loads((run_dir / "run.json").read_text())
    assert (run["strategy"], run["replicas"]) == ("mirrored", 2)


@pytest.mark.parametrize(
    ("strategy", "replicas", "message"),
    [
        ("default", 2, "for --strategy mirrored"),
        ("multiworker", 2, "for --strategy mirrored"),
        ("mirrored", -1, "must be >= 1"),
    ],
)
def test_cpu_replicas_rejects_other_strategies(
    tmp_path: Path, strategy: str, replicas: int, message: str
) -> None:
    request = TrainRequest("toy", str(tmp_path / "run"), strategy=strategy, cpu_replicas=replicas)
    with pytest.raises(ValueError, match=message):
        train(request)
    assert not (tmp_path / "run").exists()  # nothing written


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {helpers!r})
    from toy_system import register_toy
    from tfface.runs.train import TrainRequest, train
    register_toy()
    train(TrainRequest("toy", {run_dir!r}, preset="tiny", strategy="multiworker", overrides=("train.steps=2",), verbose=0))
    """
)


@pytest.mark.slow
def test_multiworker_mirrored_strategy_two_local_workers(tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    processes = []
    for index in range(2):
        environment = dict(os.environ)
        environment["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        )
        environment["TF_CPP_MIN_LOG_LEVEL"] = "2"
        script = WORKER.format(helpers=HELPERS, run_dir=str(tmp_path / f"worker{index}"))
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", script],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = []
    for process in processes:
        try:
            output, _ = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            pytest.fail("multi-worker training did not finish in 240 s")
        outputs.append(output)
        assert process.returncode == 0, output[-3000:]
    # Worker 0 is the chief: it writes the run directory; both end with identical weights,
    # which the chief's checkpoint holds. Compare the chief's weights with a one-process run.
    chief = checkpoint_weights(tmp_path / "worker0")
    train(
        TrainRequest("toy", str(tmp_path / "single"), preset="tiny", overrides=("train.steps=2",))
    )
    single = checkpoint_weights(tmp_path / "single")
    for name in chief:
        np.testing.assert_allclose(chief[name], single[name], atol=1e-5, err_msg=name)
