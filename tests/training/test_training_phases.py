"""Training phases: declared by each system, and the progress line shows the active one's losses."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
import tensorflow as tf
from toy_system import ToyConfig, ToySystem, tiny_config

from tfface.config import get_preset
from tfface.runs.train import TrainRequest, train
from tfface.systems import registry
from tfface.systems.catalog import SYSTEMS
from tfface.training.callbacks import StepProgress
from tfface.training.phases import TrainingPhase, check_phases, phase_of_step

MASK_GUIDED_LOGS = {
    "loss": 0.0,
    "parser_loss": 0.5,
    "local_loss": 0.0,
    "global_loss": 0.0,
    "adversarial_loss": 0.0,
    "feature_matching_loss": 0.0,
    "parsing_loss": 0.0,
    "kl_loss": 0.0,
    "generator_loss": 0.0,
    "discriminator_loss": 0.0,
    "paired": 0.0,
}


def test_mask_guided_declares_parser_pre_training_then_gan_training() -> None:
    from tfface.systems.mask_guided import MaskGuidedSystem

    config = get_preset("mask_guided", "tiny")
    pretrain = config.model.parser_pretrain_steps
    parser, gan = MaskGuidedSystem.phases(config)
    assert (parser.name, parser.first_step, parser.end_step) == ("parser pre-training", 0, pretrain)
    assert parser.loss_names == ("parser_loss",)
    assert (gan.name, gan.first_step, gan.end_step) == (
        "GAN training",
        pretrain,
        config.train.steps,
    )
    assert "parser_loss" not in gan.loss_names and "generator_loss" in gan.loss_names
    check_phases((parser, gan), config.train.steps, MaskGuidedSystem.LOSS_NAMES)
    no_pretraining = dataclasses.replace(
        config, model=dataclasses.replace(config.model, parser_pretrain_steps=0)
    )
    assert [phase.name for phase in MaskGuidedSystem.phases(no_pretraining)] == ["GAN training"]


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_every_system_phases_cover_its_presets(name: str) -> None:
    system_class = registry.system_class(name)
    for preset in SYSTEMS[name].presets:
        config = get_preset(name, preset)
        check_phases(system_class.phases(config), config.train.steps, system_class.LOSS_NAMES)


def test_check_phases_rejects_gaps_and_unknown_losses() -> None:
    with pytest.raises(ValueError, match="without gaps"):
        check_phases([TrainingPhase("a", 0, 2, ()), TrainingPhase("b", 3, 5, ())], 5, ())
    with pytest.raises(ValueError, match="train.steps is 6"):
        check_phases([TrainingPhase("a", 0, 5, ())], 6, ())
    with pytest.raises(ValueError, match="does not"):
        check_phases([TrainingPhase("a", 0, 5, ("nosuch_loss",))], 5, ("l1",))
    phases = [TrainingPhase("a", 0, 2, ()), TrainingPhase("b", 2, 5, ())]
    assert [phase_of_step(phases, index).name for index in range(6)] == list("aabbbb")


def test_progress_line_names_the_phase_and_shows_only_its_losses() -> None:
    phases = (
        TrainingPhase("parser pre-training", 0, 3, ("parser_loss",)),
        TrainingPhase("GAN training", 3, 5, ("generator_loss", "discriminator_loss")),
    )
    step = tf.Variable(0, dtype=tf.int64)
    stream = io.StringIO()
    progress = StepProgress(5, 4, every=2, step=step, phases=phases, stream=stream)
    for _ in range(5):
        step.assign_add(1)
        progress.on_train_batch_end(0, MASK_GUIDED_LOGS)
    lines = stream.getvalue().splitlines()
    assert [line.split(",")[0] + "," + line.split(",")[1] for line in lines] == [
        "parser pre-training, step 2/3 (run 2/5)",
        "parser pre-training, step 3/3 (run 3/5)",
        "GAN training, step 1/2 (run 4/5)",
        "GAN training, step 2/2 (run 5/5)",
    ]
    assert all("parser_loss=0.5000" in line for line in lines[:2])
    assert not any("generator_loss" in line for line in lines[:2])
    assert all("generator_loss=" in line and "parser_loss" not in line for line in lines[2:])
    assert not any("paired" in line or " loss=" in line for line in lines)


# -- a two-phase toy system through `tfface train` -------------------------------------------
def phased_tiny_config() -> ToyConfig:
    return dataclasses.replace(tiny_config(), system="toy_phased")


class PhasedToySystem(ToySystem):
    """The toy system with a warm-up phase that reports only its L1 (for the progress line).

    Declaring `CONFIG` registers it as "toy_phased"."""

    NAME = "toy_phased"
    CONFIG = ToyConfig
    PRESETS = {"tiny": phased_tiny_config}

    @classmethod
    def phases(cls, config) -> tuple[TrainingPhase, ...]:
        return (
            TrainingPhase("warm-up", 0, 2, ("l1",)),
            TrainingPhase("adversarial", 2, config.train.steps, ("generator_loss",)),
        )


def test_train_prints_each_phase_with_its_losses(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    train(TrainRequest("toy_phased", str(tmp_path / "run"), preset="tiny"))
    lines = [line for line in capsys.readouterr().err.splitlines() if ", step " in line]
    assert lines[0].startswith("warm-up, step 2/2 (run 2/4)") and "l1=" in lines[0]
    assert "generator_loss" not in lines[0]
    assert lines[-1].startswith("adversarial, step 2/2 (run 4/4)")
    assert "generator_loss=" in lines[-1] and "l1=" not in lines[-1]
