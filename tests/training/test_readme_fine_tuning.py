"""The README's fine-tuning snippet runs as written on a `tfface train` run.

The snippet is read from README.md (section `tfface train`); only its run and data paths
are replaced. It restores a mask_guided run trained by the command's code path into
optimizers of its own (float rates, where the run used schedules), fine-tunes with
validation and early stopping; then `evaluate()` must leave every value unchanged.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from system_state import assert_state_unchanged, system_state

from tfface.runs.train import TrainRequest, train

README = Path(__file__).parents[2] / "README.md"
SNIPPET_PATHS = 'run, data = "runs/portrait", "data/synth"'


def readme_fine_tuning_snippet() -> str:
    """The first indented code block after "Fine-tuning is plain Keras", dedented."""
    lines = README.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "Fine-tuning is plain Keras" in line)
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("    ") or (block and not line.strip()):
            block.append(line)
        elif block:
            break
    return textwrap.dedent("\n".join(block)).strip() + "\n"


@pytest.fixture(scope="module")
def run_and_data(tmp_path_factory) -> tuple[Path, Path]:
    """SynthFaces with train and validation splits, and a 2-step `tfface train` run on them."""
    from pipelines import synthfaces

    data = tmp_path_factory.mktemp("synthfaces")
    synthfaces.main(
        ["--output", str(data), "--identities", "6", "--size", "64", "--uv-size", "32"]
        + ["--yaws", "0", "20", "--splits", "train=0.5,validation=0.5,test=0"]
    )
    run = tmp_path_factory.mktemp("runs") / "portrait"
    overrides = (
        "train.steps=2",
        "train.batch_size=2",
        "train.log_every=1",
        "model.parser_pretrain_steps=0",
    )
    summary = train(TrainRequest("mask_guided", str(run), str(data), "tiny", overrides=overrides))
    assert summary["steps"] == 2
    return run, data


def test_snippet_fine_tunes_a_run_with_validation(run_and_data: tuple[Path, Path]) -> None:
    run, data = run_and_data
    snippet = readme_fine_tuning_snippet()
    assert snippet.count(SNIPPET_PATHS) == 1, "the README snippet's paths line changed"
    namespace: dict = {}
    exec(snippet.replace(SNIPPET_PATHS, f"run, data = {str(run)!r}, {str(data)!r}"), namespace)

    system, history = namespace["system"], namespace["history"].history
    epochs = len(history["loss"])
    assert 1 <= epochs <= 5
    # Restored at step 2 (the run's), then one step per epoch (log_every = 1).
    assert int(system.step_counter.numpy()) == 2 + epochs
    assert int(system.system_optimizers["generator"].iterations.numpy()) == 2 + epochs
    logged = {"loss", *system.LOSS_NAMES}
    assert set(history) == logged | {f"val_{name}" for name in logged}
    assert all(np.isfinite(values).all() for values in history.values())
    assert history["val_loss"] == history["val_generator_loss"]
    assert history["val_paired"] == [1.0] * epochs  # held-out losses are paired
    assert all(value > 0 for value in history["val_parser_loss"])

    held_out = namespace["spec"].dataset(namespace["config"], str(data), split="validation")
    before = system_state(system)
    results = system.evaluate(held_out.take(2), return_dict=True, verbose=0)
    assert_state_unchanged(before, system_state(system))
    assert set(results) == logged and math.isfinite(results["loss"])
