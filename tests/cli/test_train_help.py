"""`tfface train --help` lists the systems and their presets (without importing TensorFlow:
tests/cli/test_cli_startup.py)."""

from __future__ import annotations

import pytest

from tfface.cli import train as train_command
from tfface.cli.main import main
from tfface.systems.catalog import SYSTEMS


def test_train_help_lists_systems_and_presets(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--help"])
    assert exit_info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    for name, entry in SYSTEMS.items():
        line = next((line for line in lines if line.strip().startswith(f"{name} (presets:")), None)
        assert line is not None, f"{name} is not listed"
        assert all(preset in line for preset in entry.presets), line


def test_strategy_choices_are_the_training_module_ones() -> None:
    from tfface.training.strategy import STRATEGIES

    assert train_command.STRATEGIES == STRATEGIES
