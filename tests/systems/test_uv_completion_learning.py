"""Learning check of the uv_completion tiny preset on SynthFaces at 64 px, UV 64.

The tiny preset (60 sampler steps, then the generator with its three discriminators) trains
on 16 identities at yaws -30, 0 and 30 (`--coefficients --uv-completion --with-uv-texture`).
On 6 held-out identities, over the WHOLE texture, the completed UV map is closer (L1) to
SynthFaces' exact texture than the sampled incomplete UV map with mirror fill (the
chapter's input without a generator). The exact texture is lit as the image is (albedo x
the exact SH shading, `evaluation.exact_lit_texture`): the system bakes lighting into its
UV maps (summary A2), as the thesis does. Against the raw albedo every method is dominated
by the lighting difference (the numbers below).

Measured here (L1 over the whole texture against the lit exact texture, units of the full
range; 6 held-out identities x 3 yaws): completed 0.106, sampled + mirror fill 0.148,
traditional UV_gt + mirror fill 0.143 (visible texels: 0.084 / 0.082 / 0.027); against the
raw albedo 0.179 / 0.200 / 0.204. With 8 training identities and 120 steps the completed
map did NOT beat the baseline (0.189 vs 0.182): the preset's 200 steps on 16 identities are
needed. Time: about 6 minutes at a load average of 12 on the 2 shared cores (data 141 s,
training 202 s, evaluation 18 s), over the 150 s budget.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from system_kit import SynthFacesRecipe, make_system, tiny_config

from tfface.systems.uv_completion.data import uv_batches
from tfface.systems.uv_completion.evaluation import evaluate_system

YAWS = (-30, 0, 30)
TRAINING = SynthFacesRecipe(16, YAWS, uv_size=64, coefficients=True, uv_completion=True)
HELD_OUT = SynthFacesRecipe(
    6, YAWS, uv_size=64, coefficients=True, uv_completion=True, first_identity=1000
)


@pytest.mark.slow
def test_completed_uv_beats_the_mirror_filled_sampled_uv(synthfaces_data) -> None:
    start = time.monotonic()
    training, held_out = synthfaces_data(TRAINING), synthfaces_data(HELD_OUT)
    built = time.monotonic()
    config = tiny_config("uv_completion", training)
    system = make_system(config)
    system.fit(uv_batches(config, training), steps_per_epoch=config.train.steps, verbose=0)
    trained = time.monotonic()
    evaluation_config = tiny_config(
        "uv_completion", held_out, "data.shuffle_buffer=0", "train.batch_size=6"
    )
    scores = evaluate_system(system, uv_batches(evaluation_config, held_out).take(3))
    print(
        f"\nuv_completion learning check: data {built - start:.0f} s, training "
        f"{trained - built:.0f} s, evaluation {time.monotonic() - trained:.0f} s"
    )
    for name in sorted(scores):
        print(f"  {name}: {scores[name]:.4f}")
    completed, baseline = scores["completed_l1_whole"], scores["sampled_mirror_l1_whole"]
    assert np.isfinite(completed) and np.isfinite(baseline)
    assert completed < 0.8 * baseline, (completed, baseline)
