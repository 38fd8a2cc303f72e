"""Learning check of the deocclusion tiny preset on SynthFaces at 64 px (issue #25).

The tiny preset trains N_S, N_R and N_G together on 24 identities at yaw 0, each bare, in
sunglasses and in a medical mask (`--occluders sunglasses medical_mask --coefficients`).
On 6 held-out identities, the whole inference pipeline (`deocclude`: N_S's visible face,
N_R's render, Eq. 5.1's occlusion mask, N_G) beats, by PSNR inside the true occluded face
region against the unoccluded ground truth, both the occluded input and `nearest_fill`
given the true region; and N_S's IoU of the visible face is at least 0.8.

Measured here (200 steps; 2 cores shared with other developers' runs, load average beside):
run 1 (load 5.2-5.6): PSNR input 12.18 dB, nearest_fill 18.35 dB, deocclusion 19.32 dB
(medical masks 19.40 vs nearest_fill 15.91; sunglasses 19.23 vs 20.79: on the thin dark
lenses copying the neighbouring skin still wins), N_S IoU 0.833, precision 0.891; data 32 s,
training 229 s (265 s in all); run 2 (load 6.0): 19.28 dB against the same baselines, IoU
0.833 (N_S is deterministic), data 30 s, training 205 s (239 s in all). Both over the 150 s
budget at this load (about 0.5 s a step with the trace; unloaded, well under).
The step skips the per-step render and Poisson blend of N_G's exact inputs (cached per
record in the data recipe) and N_S learns at 6e-3; before, 300 steps on 24 identities at
two yaws took 364-756 s for IoU 0.809. At 150 steps this recipe gave IoU 0.821 and 19.42 dB
once, and IoU 0.789 (a failure) in another run on 2026-12-03: 200 steps are needed. With
200 steps at load 3.5 (2026-12-03): 19.56 dB, IoU 0.833, 191 s (data 39 s, training 151 s);
on the quiet machine (load 1.6, nothing else running): 19.16 dB, IoU 0.833, 123 s (data 15 s,
training 107 s).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
from learning_check import held_out_batch
from system_kit import SynthFacesRecipe, make_system, tiny_config

from tfface.systems.deocclusion.evaluation import (
    EVALUATION_FEATURES,
    deocclusion_method,
    evaluate_methods,
    nearest_fill_method,
    occluded_input,
    table_markdown,
)
from tfface.systems.deocclusion.losses import precision_and_iou
from tfface.systems.deocclusion.masks import visible_face

OCCLUDERS = ("sunglasses", "medical_mask")
TRAINING = SynthFacesRecipe(24, (0,), occluders=OCCLUDERS, coefficients=True)
HELD_OUT = SynthFacesRecipe(6, (0,), occluders=OCCLUDERS, first_identity=1000)
STEPS = 200


@pytest.mark.slow
def test_tiny_preset_deoccludes_held_out_faces_better_than_the_baselines(synthfaces_data) -> None:
    start = time.monotonic()
    training = synthfaces_data(TRAINING)
    held_out = held_out_batch(synthfaces_data(HELD_OUT), EVALUATION_FEATURES, 6 * 3)
    built = time.monotonic()
    config = tiny_config("deocclusion", training, f"train.steps={STEPS}")
    system = make_system(config)
    system.fit(system.DATA(config, training), steps_per_epoch=STEPS, epochs=1, verbose=0)
    trained = time.monotonic()

    table = evaluate_methods(
        {
            "occluded_input": occluded_input,
            "nearest_fill": nearest_fill_method,
            "deocclusion": deocclusion_method(system),
        },
        [held_out],
    )
    visible = visible_face(held_out["face_mask"], held_out["occlusion_mask"])
    precision, iou = precision_and_iou(visible, system.segment_face(held_out["image"]), 0.5)
    psnr = {name: row["psnr"] for name, row in table["all"].items()}
    print(
        f"\ndeocclusion: {table['all']['deocclusion']['examples']} occluded held-out faces, "
        f"PSNR in the occluded face region: input {psnr['occluded_input']:.2f} dB, "
        f"nearest_fill {psnr['nearest_fill']:.2f} dB, deocclusion {psnr['deocclusion']:.2f} "
        f"dB; N_S IoU {float(np.mean(iou)):.3f}, precision {float(np.mean(precision)):.3f}; "
        f"data {built - start:.0f} s, training {trained - built:.0f} s, load average "
        f"{os.getloadavg()[0]:.1f}\n{table_markdown(table)}"
    )
    assert psnr["deocclusion"] > psnr["occluded_input"]
    assert psnr["deocclusion"] > psnr["nearest_fill"]
    assert float(np.mean(iou)) >= 0.8
