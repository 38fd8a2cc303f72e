"""Training phases: which steps train what, and which losses they log.

Most systems train all their networks at every step (one phase). Some train in stages:
mask_guided first pre-trains its face parser alone, then trains the GAN with the parser
frozen. A system declares its phases in `GANSystem.phases(config)`; the training progress
line and the TensorBoard scalars show the losses of the phase the step belongs to (the
trackers of the other phases hold nothing meaningful then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingPhase:
    """A range of steps with one training objective.

    Attributes:
        name: what the steps do ("parser pre-training", "GAN training").
        first_step: 0-based index of the phase's first step.
        end_step: index after its last step (the phase has `end_step - first_step` steps).
        loss_names: the logged values these steps update (entries of the system's LOSS_NAMES).
    """

    name: str
    first_step: int
    end_step: int
    loss_names: tuple[str, ...]

    @property
    def steps(self) -> int:
        """Number of steps in the phase."""
        return self.end_step - self.first_step

    def contains(self, step_index: int) -> bool:
        """True if the 0-based step `step_index` belongs to the phase."""
        return self.first_step <= step_index < self.end_step


def check_phases(
    phases: Sequence[TrainingPhase], total_steps: int, loss_names: Sequence[str]
) -> None:
    """Raises ValueError unless the phases cover steps 0 .. total_steps - 1 in order, without
    gaps, overlaps or empty phases, and log only names in `loss_names`."""
    if not phases:
        raise ValueError("a system needs at least one training phase")
    expected_start = 0
    for phase in phases:
        if phase.first_step != expected_start or phase.steps <= 0:
            raise ValueError(
                f"training phases must cover the steps in order without gaps or empty phases; "
                f"{phase.name!r} is steps [{phase.first_step}, {phase.end_step}), "
                f"expected it to start at {expected_start}"
            )
        unknown = [name for name in phase.loss_names if name not in loss_names]
        if unknown:
            raise ValueError(f"phase {phase.name!r} logs {unknown}, which the system does not")
        expected_start = phase.end_step
    if expected_start != total_steps:
        raise ValueError(
            f"training phases end at step {expected_start}, train.steps is {total_steps}"
        )


def phase_of_step(phases: Sequence[TrainingPhase], step_index: int) -> TrainingPhase:
    """The phase of 0-based step `step_index` (the last phase for steps past the end)."""
    for phase in phases:
        if phase.contains(step_index):
            return phase
    return phases[-1] if step_index >= phases[-1].end_step else phases[0]
