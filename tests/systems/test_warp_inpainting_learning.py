"""Learning check of warp inpainting (tiny preset) on SynthFaces at 64 px, held-out identities.

After 200 steps with small free-form holes (strokes 2-5 px wide, at most 15% of the image),
the SSIM inside the holes of held-out faces beats `nearest_fill` alone (the "trivial holes
fill-in" every warped candidate starts from, sec. 3.4) by at least 0.01; before training it
does not. The tiny preset has no perceptual losses: VGG16 ImageNet weights cannot be
downloaded here. When they are available locally ($TFFACE_WEIGHTS_DIR or the Keras cache) the
check also trains with the thesis's content and style losses.
"""

from __future__ import annotations

import time

import pytest
import tensorflow as tf
from system_kit import HELD_OUT_FACES, LEARNING_FACES, make_system, tiny_config

from tfface.data.hole_masks import free_form_hole_masks
from tfface.data.reader import make_dataset
from tfface.metrics.structural_similarity import ssim
from tfface.ops.hole_filling import nearest_fill
from tfface.weights import WeightsNotFoundError, resolve_weights

STEPS = 200
SMALL_HOLES = (
    "model.holes.source=free_form",
    "model.holes.min_width=0.03",
    "model.holes.max_width=0.08",
    "model.holes.max_strokes=3",
    "model.holes.max_hole_ratio=0.15",
)


def perceptual_overrides() -> tuple[str, ...]:
    """The thesis's content / style losses if VGG16 weights are on this machine, else none."""
    try:
        resolve_weights("vgg16_notop", allow_download=False)
    except WeightsNotFoundError:
        return ()
    return ("model.content_weight=0.02", "model.style_weight=50000")


@pytest.mark.slow
def test_warp_inpainting_beats_nearest_fill_in_the_holes(synthfaces_data) -> None:
    start = time.monotonic()
    train_dir = synthfaces_data(LEARNING_FACES)
    held_out_dir = synthfaces_data(HELD_OUT_FACES)
    perceptual = perceptual_overrides()
    config = tiny_config(
        "warp_inpainting", train_dir, f"train.steps={STEPS}", *SMALL_HOLES, *perceptual
    )
    system = make_system(config)
    pattern = f"{held_out_dir}/train-*.tfrecord"
    held_out = make_dataset(pattern, ("image",), 32, image_size=64, shuffle=False)
    images = next(iter(held_out))["image"]  # (32, 64, 64, 3) in [-1, 1]
    numbers = tf.range(32, dtype=tf.int64) + 10**6  # strokes never drawn in training
    holes = free_form_hole_masks(numbers, 64, 7, config.model.holes.free_form())
    known = 1.0 - holes
    baseline = float(tf.reduce_mean(ssim(nearest_fill(images * known, known), images, holes)))
    inpaint = tf.function(system.call)

    def hole_ssim() -> float:
        return float(
            tf.reduce_mean(ssim(inpaint({"image": images, "hole_mask": holes}), images, holes))
        )

    initial = hole_ssim()
    system.fit(system.DATA(config, train_dir).take(STEPS), verbose=0)
    final = hole_ssim()
    elapsed = time.monotonic() - start
    print(
        f"hole SSIM: nearest_fill {baseline:.4f}, warp inpainting {initial:.4f} -> {final:.4f} "
        f"after {STEPS} steps (hole ratio {float(tf.reduce_mean(holes)):.3f}; perceptual "
        f"losses {'on' if perceptual else 'off: no VGG16 weights'}); {elapsed:.0f}s"
    )
    assert initial < baseline + 0.01
    assert final > baseline + 0.01
