"""`Update`: one optimizer step of a train step, as a system declares it.

A system's `UPDATES` lists its updates in the order they run (Goodfellow et al. 2014,
Algorithm 1: the networks of a GAN take turns). Each names the optimizer group that steps,
the objective method that computes its per-example loss terms, and which term the group
minimises. `GANSystem.train_step` runs them: one tape per update, the one reduction over
the global batch, the optimizer step, then the terms are logged (see `tfface/systems/base.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Update:
    """One optimizer step of a train step.

    Attributes:
        optimizer: the optimizer group that steps (a key of the system's `OPTIMIZER_GROUPS`),
            or a tuple of groups that step together on the gradients of one tape (each with
            its own optimizer; e.g. a generator, its latent encoder and mapping network
            minimising one objective). A group the system does not have (an optional network
            switched off) is skipped; with none left the objective still runs and its terms
            are logged, and nothing is updated.
        objective: the name of the system method `(batch, carried, training) -> {name:
            tensor}` that computes the update's terms. Keys listed in `LOSS_NAMES` are
            per-example values (B,) and are logged; any other key is carried (gradients
            stopped) to the objectives of the later updates of the step.
        loss: the key of the term the group minimises (its sum over the global batch,
            divided by the global batch size).
    """

    optimizer: str | tuple[str, ...]
    objective: str
    loss: str

    @property
    def groups(self) -> tuple[str, ...]:
        """The optimizer groups that step, as a tuple."""
        return (self.optimizer,) if isinstance(self.optimizer, str) else tuple(self.optimizer)
