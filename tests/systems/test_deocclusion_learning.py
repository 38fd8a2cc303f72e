"""Learning check of the deocclusion tiny preset on SynthFaces at 64 px (issue #25).

The tiny preset trains N_S, N_R and N_G together on 24 identities at yaws 0 and 20, each
bare, in sunglasses and in a medical mask (`--occluders sunglasses medical_mask
--coefficients`). On 6 held-out identities, the whole inference pipeline (`deocclude`: N_S's
visible face, N_R's render, Eq. 5.1's occlusion mask, N_G) beats, by PSNR inside the true
occluded face region against the unoccluded ground truth, both the occluded input and
`nearest_fill` given the true region; and N_S's IoU of the visible face is at least 0.8.

Measured (300 steps, 2 shared cores at load average 10-12 from other developers' runs):
PSNR input 11.70 dB, nearest_fill 17.67 dB, deocclusion 19.49 dB (medical masks 20.25 vs
16.00; sunglasses 18.74 vs nearest_fill's 19.34: the thin dark lenses are where copying
the neighbouring skin is hard to beat); N_S IoU 0.809, precision 0.959; data 142 s,
training 606 s (756 s in all: far over the 150 s budget on this loaded machine; unloaded a
step takes ~0.6 s). After 200 steps it was 17.39 dB and IoU 0.774 (fails): 300 are needed.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from system_kit import SynthFacesRecipe, make_system, tiny_config

from tfface.data.reader import make_dataset
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
TRAINING = SynthFacesRecipe(24, (0, 20), occluders=OCCLUDERS, coefficients=True)
HELD_OUT = SynthFacesRecipe(6, (0, 20), occluders=OCCLUDERS, first_identity=1000)
STEPS = 300


def build(folder, recipe: SynthFacesRecipe) -> str:
    from pipelines import synthfaces

    synthfaces.main(["--output", str(folder), *recipe.arguments()])
    return str(folder)


@pytest.mark.slow
def test_tiny_preset_deoccludes_held_out_faces_better_than_the_baselines(tmp_path) -> None:
    start = time.monotonic()
    training = build(tmp_path / "training", TRAINING)
    held_out_dir = build(tmp_path / "held_out", HELD_OUT)
    held_out = next(
        iter(
            make_dataset(
                f"{held_out_dir}/train-*.tfrecord",
                features=EVALUATION_FEATURES,
                batch_size=6 * 2 * 3,
                image_size=64,
                shuffle=False,
            )
        )
    )
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
        f"data {built - start:.0f} s, training {trained - built:.0f} s\n{table_markdown(table)}"
    )
    assert psnr["deocclusion"] > psnr["occluded_input"]
    assert psnr["deocclusion"] > psnr["nearest_fill"]
    assert float(np.mean(iou)) >= 0.8
