"""The conventional `Update`s of a GAN step, for systems whose objectives have these names.

Goodfellow et al. 2014, Algorithm 1: the generator and the discriminator take turns; the
gap discriminator h_xi of Sevastopolskiy 2019 (sec. 3.2, Eq. 3.12) is a second
discriminator that predicts which pixels of the generator's image were holes. A system
lists them in its `UPDATES` in the order they run, e.g.
`UPDATES = (GENERATOR_UPDATE, DISCRIMINATOR_UPDATE, GAP_DISCRIMINATOR_UPDATE)`, and
implements the objective methods they name.
"""

from __future__ import annotations

from tfface.systems.updates import Update

GENERATOR_UPDATE = Update("generator", "generator_objective", "generator_loss")
"""The "generator" group minimises `generator_objective`'s 'generator_loss'."""

DISCRIMINATOR_UPDATE = Update("discriminator", "discriminator_objective", "discriminator_loss")
"""The "discriminator" group minimises `discriminator_objective`'s 'discriminator_loss'."""

GAP_DISCRIMINATOR_UPDATE = Update(
    "gap_discriminator", "gap_discriminator_objective", "gap_discriminator_loss"
)
"""The "gap_discriminator" group (h_xi) minimises 'gap_discriminator_loss'."""
