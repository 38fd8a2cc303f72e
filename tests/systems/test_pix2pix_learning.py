"""Learning check of the pix2pix tiny preset: SynthFaces rgb -> painting at 64 px (issue #23).

The tiny preset trains on 16 identities at yaw 0 and 20 (photo `rgb` -> `painting` of the
same face, `--pair-domains rgb painting`). On 8 held-out identities, the mean L1 of its
translations to the exact paintings must beat the identity mapping (the photo itself as the
painting: what a translator that learnt nothing scores) by at least MARGIN.

Measured here (2 shared cores, load average 7.3): held-out L1 0.144 against 0.259 for the
identity mapping (ratio 0.55) after the tiny preset's 300 steps; 39 s in all (data 18 s,
training 21 s).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from learning_check import held_out_batch
from system_kit import SynthFacesRecipe, make_system, tiny_config

YAWS = (0, 20)
TRAINING = SynthFacesRecipe(16, YAWS, pair_domains=("rgb", "painting"))
HELD_OUT = SynthFacesRecipe(8, YAWS, pair_domains=("rgb", "painting"), first_identity=1000)
MARGIN = 0.8
"""Translations' held-out L1 <= MARGIN x the identity mapping's."""


def build(folder, recipe: SynthFacesRecipe) -> str:
    from pipelines import synthfaces

    synthfaces.main(["--output", str(folder), *recipe.arguments()])
    return str(folder)


@pytest.mark.slow
def test_tiny_preset_beats_the_identity_mapping_on_held_out_paintings(tmp_path) -> None:
    start = time.monotonic()
    training = build(tmp_path / "training", TRAINING)
    held_out = held_out_batch(build(tmp_path / "held_out", HELD_OUT), ("image", "target_image"), 16)
    built = time.monotonic()
    config = tiny_config("pix2pix", training)
    system = make_system(config)
    system.fit(
        system.DATA(config, training), steps_per_epoch=config.train.steps, epochs=1, verbose=0
    )
    trained = time.monotonic()
    photos, paintings = held_out["image"].numpy(), held_out["target_image"].numpy()
    translated = system(photos).numpy()
    ours = float(np.abs(translated - paintings).mean())
    identity = float(np.abs(photos - paintings).mean())
    print(
        f"pix2pix held-out L1 {ours:.4f} vs identity mapping {identity:.4f} "
        f"(ratio {ours / identity:.3f}); data {built - start:.0f} s, "
        f"{config.train.steps} steps {trained - built:.0f} s"
    )
    assert ours <= MARGIN * identity
