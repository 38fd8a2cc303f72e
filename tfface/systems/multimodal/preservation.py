"""Pose and gaze preservation of a translation (issue #22, item 6), on SynthFaces' exact geometry.

A driver-monitoring translator must keep the head pose and the gaze of its render (Bergqvist
2020 sec. 1.1: the translated images train pose and gaze estimators, so the labels of the
render must stay true). SynthFaces renders the source and its NIR target from ONE scene
(`--pair-domains mask_texture nir`), so the exact iBUG-68 landmarks of the record are the
ground truth of both images and of every translation.

- Pose: a landmark model reads the translations: a `face_reconstruction` export through
  `tfface.systems.reconstruction_landmarks` (its `landmarks` signature), ideally trained on
  the target domain (`synthfaces --domains nir --coefficients`). The error is the NME: the mean
  point-to-point distance to the exact landmarks over the inter-ocular distance (outer eye
  corners, iBUG 36 and 45). The same model on the REAL targets gives its own error floor,
  reported beside: a translation that keeps the pose scores close to that floor.
- Gaze: SynthFaces' eyes look along the head (the pupil sits at the eye centre of the
  texture, `tfface.synth.face_regions`), so the real target shows the true gaze. The pupil
  centre of each eye is located in the eye polygon of the exact landmarks as the
  darkness-weighted centroid (the dark pupil of an NIR eye; weights (max - intensity)^4
  inside the polygon); the gaze error is the distance between the translation's and the real
  target's pupil centres over the inter-ocular distance, mean of both eyes. No model needed.
  It measures where the pupil is drawn, not a gaze angle: SynthFaces has no gaze labels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import tensorflow as tf

from tfface.ops.polygons import polygon_inside

OUTER_EYE_CORNERS = (36, 45)
"""iBUG-68 points whose distance normalises the errors (the 300-W inter-ocular convention)."""
EYES = (tuple(range(36, 42)), tuple(range(42, 48)))
"""iBUG-68 eye contours: the subject's right eye, then the left."""
DARKNESS_POWER = 4.0
"""Exponent of the pupil weights (max - intensity)^p: larger favours the darkest pixels."""

LandmarkFunction = Callable[[tf.Tensor], tf.Tensor]
"""images float32 (B, S, S, 3) in [-1, 1] -> landmarks float32 (B, 68, 2+) pixels (e.g.
`tfface.systems.reconstruction_landmarks.ReconstructionLandmarks`)."""


def inter_ocular_distance(landmarks: tf.Tensor) -> tf.Tensor:
    """(B,) distance between the outer eye corners of landmarks (B, 68, 2+) in pixels."""
    right, left = OUTER_EYE_CORNERS
    return tf.norm(landmarks[:, right, :2] - landmarks[:, left, :2], axis=-1)


def landmark_nme(predicted: tf.Tensor, exact: tf.Tensor) -> tf.Tensor:
    """(B,) mean point-to-point error of predicted (B, 68, 2) against exact (B, 68, 2+)
    landmarks, over the inter-ocular distance of the exact ones."""
    predicted = tf.cast(predicted[..., :2], tf.float32)
    exact = tf.cast(exact[..., :2], tf.float32)
    errors = tf.reduce_mean(tf.norm(predicted - exact, axis=-1), axis=-1)
    return errors / tf.maximum(inter_ocular_distance(exact), 1e-6)


def pupil_centres(images: tf.Tensor, landmarks: tf.Tensor) -> tf.Tensor:
    """(B, 2, 2) (x, y) pixels of the right and left pupils (module docstring).

    Args:
        images: float32 (B, S, S, C) in [-1, 1] (channels averaged).
        landmarks: (B, 68, 2+) pixels of the same S x S images.
    """
    grey = tf.reduce_mean(tf.cast(images, tf.float32), axis=-1)  # (B, S, S)
    size = int(images.shape[1])
    coordinates = tf.range(size, dtype=tf.float32)
    rows, columns = tf.meshgrid(coordinates, coordinates, indexing="ij")  # (S, S)
    points = tf.cast(landmarks[..., :2], tf.float32)
    centres = []
    for eye in EYES:
        polygon = tf.gather(points, list(eye), axis=1)  # (B, 6, 2)
        inside = polygon_inside(polygon, size)  # (B, S, S)
        brightest = tf.reduce_max(grey * inside - 2.0 * (1.0 - inside), axis=[1, 2], keepdims=True)
        weights = inside * tf.nn.relu(brightest - grey) ** DARKNESS_POWER  # (B, S, S)
        total = tf.reduce_sum(weights, axis=[1, 2])  # (B,)
        centroid = (
            tf.stack(
                [
                    tf.reduce_sum(weights * columns, axis=[1, 2]),
                    tf.reduce_sum(weights * rows, axis=[1, 2]),
                ],
                axis=-1,
            )
            / tf.maximum(total, 1e-12)[:, tf.newaxis]
        )
        # An eye with no darker pixel (a flat or closed eye): the polygon's mean point.
        centres.append(
            tf.where((total > 0.0)[:, tf.newaxis], centroid, tf.reduce_mean(polygon, axis=1))
        )
    return tf.stack(centres, axis=1)


def gaze_error(translated: tf.Tensor, real: tf.Tensor, landmarks: tf.Tensor) -> tf.Tensor:
    """(B,) mean distance of both pupil centres of the translations (B, S, S, C) from those of
    the real targets (B, S, S, C), over the inter-ocular distance of the exact landmarks."""
    distances = tf.norm(
        pupil_centres(translated, landmarks) - pupil_centres(real, landmarks), axis=-1
    )
    return tf.reduce_mean(distances, axis=-1) / tf.maximum(inter_ocular_distance(landmarks), 1e-6)


@dataclasses.dataclass(frozen=True)
class PreservationScores:
    """Pose and gaze preservation over the held-out sources (module docstring).

    Attributes:
        gaze_error: pupil-centre distance, translation vs real target, / inter-ocular.
        landmark_nme: NME of the landmark model on the translations (None without a model).
        real_landmark_nme: the same model's NME on the real targets: its floor (or None).
        sources: held-out sources scored.
    """

    gaze_error: float
    landmark_nme: float | None
    real_landmark_nme: float | None
    sources: int

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def preservation_scores(
    system,
    batches: Iterable[Mapping[str, tf.Tensor]],
    landmark_model: LandmarkFunction | None = None,
    seed: int = 0,
) -> PreservationScores:
    """Scores one translation G(y, z) per source of finite `batches` of {'source' (B, S, S, 3),
    'target' (B, S, S, 1) in [-1, 1], 'landmarks' (B, 68, 3) pixels}
    (`data.evaluation_pairs(..., landmarks=True)`).

    Raises:
        ValueError: a batch without 'landmarks', or no sources.
    """
    gaze, predicted, real = [], [], []
    for index, batch in enumerate(batches):
        if "landmarks" not in batch:
            raise ValueError(
                "pose and gaze preservation need the exact landmarks of each pair: SynthFaces "
                "records (`--pair-domains mask_texture nir`) read with landmarks=True"
            )
        source, target, landmarks = batch["source"], batch["target"], batch["landmarks"]
        count = int(source.shape[0])
        latents = tf.random.stateless_normal([count, system.latent_size], [seed, index])
        translated = system.translate(source, latents)  # (B, S, S, 1) in [-1, 1]
        gaze.append(gaze_error(translated, target, landmarks).numpy())
        if landmark_model is not None:
            grey_to_rgb = tf.image.grayscale_to_rgb  # the landmark model reads colour images
            predicted.append(landmark_nme(landmark_model(grey_to_rgb(translated)), landmarks))
            real.append(landmark_nme(landmark_model(grey_to_rgb(target)), landmarks))
    if not gaze:
        raise ValueError("no held-out sources to score")
    return PreservationScores(
        gaze_error=float(np.mean(np.concatenate(gaze))),
        landmark_nme=float(np.mean(np.concatenate(predicted))) if predicted else None,
        real_landmark_nme=float(np.mean(np.concatenate(real))) if real else None,
        sources=int(sum(len(values) for values in gaze)),
    )
