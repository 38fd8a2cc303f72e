"""Learning check of the uv_completion tiny preset on SynthFaces at 64 px, UV 64.

The tiny preset (Adam 2e-3; 30 sampler steps, then 70 steps of the generator with its three
discriminators) trains on 16 identities at yaws -30, 0 and 30 (`--coefficients
--uv-completion --with-uv-texture`). On 6 held-out identities, over the WHOLE texture, the
completed UV map is closer (L1) to SynthFaces' exact texture than the sampled incomplete UV
map with mirror fill (the chapter's input without a generator), against both references:

- the raw exact texture (`uv_texture`, what `tfface evaluate` scores): completed < baseline;
- the exact texture LIT like the image (albedo x the exact SH shading,
  `evaluation.exact_lit_texture`): completed < 0.9 x baseline. The system bakes lighting
  into its UV maps (summary A2), as the thesis does, so against the raw albedo every method
  also pays the lighting difference and the margin is smaller.

Measured here (L1 over the whole texture, units of the full range; 6 held-out identities x
3 yaws; completed / sampled + mirror fill / traditional UV_gt + mirror fill):
against the raw exact texture 0.178 / 0.196 / 0.204, against the lit one 0.111 / 0.141 /
0.143 (visible texels, lit: 0.086 / 0.081 / 0.027). The former preset (Adam 1e-3, 60 + 140
steps) reached 0.179 / 0.200 and 0.106 / 0.148; Adam 3e-3 at 100 steps 0.182 / 0.197; with 8
training identities and 120 steps at 1e-3 the completed map did NOT beat the baseline;
with 12 at this preset it did, by less (0.184 / 0.197 and 0.124 / 0.144), and the data
took no less time at that load (77 s).
Time (pytest's, the same numbers both runs), 3 December 2026 on the 2 shared cores: 100 s
at 20:01 UTC, load average 5.6-7 (data 60 s, training 33 s, evaluation 4 s); 208 s at 19:50
UTC, load average 6-9 (data 88 s, training 107 s, evaluation 8 s), over the 150 s budget at
that load. Both used about 62 s of CPU time. Before (1e-3, 200 steps, morphable model built
four times, UV_bl eager): 331-361 s under heavy load.
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
    raw = scores["completed_albedo_l1_whole"], scores["sampled_mirror_albedo_l1_whole"]
    lit = scores["completed_l1_whole"], scores["sampled_mirror_l1_whole"]
    assert np.all(np.isfinite(raw + lit)), scores
    assert raw[0] < raw[1], raw  # against the raw exact texture
    assert lit[0] < 0.9 * lit[1], lit  # against the exact texture lit like the image
