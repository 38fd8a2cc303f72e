"""Learning check of multimodal's tiny preset (ED-LS-LR-2 at 64 px) on SynthFaces
`mask_texture -> nir` pairs.

Trains 200 steps on 16 identities at yaws -30, 0 and 30 (`--pair-domains mask_texture nir`), then on
6 held-out identities: the FID of the translations against the real held-out NIR beats the
FID of the untranslated input (the colour-coded render in grey), and the perceptual
diversity across z is above 0.02 (no mode collapse). The gaze measure of
`preservation.py` is checked on the real held-out pairs (the untranslated render's pupils
sit where the target's are, well below another face's) and the translator's gaze error is
printed: 0.058 after 200 steps, against 0.026 for the render and 0.049 for another face (the
tiny translator blurs the 1-2 px pupils of a 64 px face).

No pretrained network exists offline, so the Fréchet distance uses the spatial means of
seeded random-weight VGG16 features (relu1_2, relu2_2, relu3_3: 448-d; random InceptionV3
pool3 features are nearly constant and useless here), and the diversity is the
LPIPS-form `PerceptualDistance` on random VGG16 features ("perceptual_unit").

Measured (input 1283): 189 and 643 after 200 steps (two data builds; diversity 0.34, 0.60),
but 1920-1950 after 150 steps: the translator leaves the input's statistics between 150
and 200 steps. About 2-2.5 minutes here (data 21-25 s, 200 steps 87-140 s on the shared
cores, evaluation 16-23 s); 59 s in all at load 4-6 on 2026-12-03 (data 11 s, 200 steps 40 s).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import tensorflow as tf
from system_kit import SynthFacesRecipe, make_system, tiny_config

from tfface.config import apply_overrides
from tfface.metrics.fid import FrechetInceptionDistance
from tfface.metrics.perceptual import PerceptualDistance
from tfface.systems.multimodal.data import evaluation_pairs, to_grey
from tfface.systems.multimodal.evaluation import translation_scores
from tfface.systems.multimodal.preservation import gaze_error, preservation_scores
from tfface.weights import vgg16_features
from tfface.weights.random_weights import seeded_build

YAWS = (-30, 0, 30)
PAIRS = ("mask_texture", "nir")
TRAINING = SynthFacesRecipe(16, YAWS, pair_domains=PAIRS)
HELD_OUT = SynthFacesRecipe(6, YAWS, first_identity=1000, pair_domains=PAIRS)
STEPS = 200


def built_folders(root) -> list[str]:
    """The training and held-out SynthFaces folders, built under `root`."""
    from pipelines import synthfaces

    folders = [str(root / recipe.label) for recipe in (TRAINING, HELD_OUT)]
    for folder, recipe in zip(folders, (TRAINING, HELD_OUT), strict=True):
        synthfaces.main(["--output", folder, *recipe.arguments()])
    return folders


class PooledRandomVGG:
    """images (B, S, S, 3) in [-1, 1] -> (B, 448) spatial means of random VGG16 features."""

    def __init__(self) -> None:
        with seeded_build():
            self.model = vgg16_features(("relu1_2", "relu2_2", "relu3_3"), weights="random")

    def __call__(self, images: tf.Tensor) -> tf.Tensor:
        features = self.model(images)
        return tf.concat([tf.reduce_mean(value, axis=[1, 2]) for value in features.values()], -1)


@pytest.mark.slow
def test_tiny_preset_translations_beat_the_input_and_keep_diverse_styles(tmp_path) -> None:
    start = time.monotonic()
    training, held_out = built_folders(tmp_path)
    built = time.monotonic()
    config = tiny_config("multimodal", training, f"train.steps={STEPS}")
    system = make_system(config)
    system.fit(system.DATA(config, training), steps_per_epoch=STEPS, epochs=1, verbose=0)
    trained = time.monotonic()

    evaluation = apply_overrides(config, ["train.batch_size=18", "data.shuffle_buffer=0"])
    batches = evaluation_pairs(evaluation, held_out, "train", landmarks=True).take(1)  # 18 pairs
    with seeded_build():
        distance = PerceptualDistance(vgg_weights="random")
    scores = translation_scores(
        system, batches, FrechetInceptionDistance(PooledRandomVGG()), distance, styles=3
    )
    preservation = preservation_scores(system, batches)
    # The gaze measure on real pairs: the untranslated render (exact pose and pupils) scores
    # well below another held-out face (the next pair's target) drawn in its place.
    pairs = next(iter(batches))
    target, landmarks = pairs["target"], pairs["landmarks"]
    render = float(tf.reduce_mean(gaze_error(to_grey(pairs["source"]), target, landmarks)))
    other_face = float(tf.reduce_mean(gaze_error(tf.roll(target, 1, axis=0), target, landmarks)))
    print(
        f"\nmultimodal learning check: FID {scores.fid:.4g} vs input {scores.input_fid:.4g}, "
        f"diversity {scores.diversity:.4g} ({scores.diversity_metric}); gaze error "
        f"{preservation.gaze_error:.4f} (render {render:.4f}, another face {other_face:.4f}); data "
        f"{built - start:.0f} s, {STEPS} steps {trained - built:.0f} s, evaluation "
        f"{time.monotonic() - trained:.0f} s"
    )
    assert scores.fid < scores.input_fid
    assert scores.diversity > 0.02
    assert render < 0.75 * other_face
    assert np.isfinite(preservation.gaze_error)
