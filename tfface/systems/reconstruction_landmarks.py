"""A face_reconstruction export as a landmark model, for every system that reads landmarks
off images: pose_editing's real-data 3D landmarks (Yin 2022 L1223-1232 takes the 68 3D
landmarks of a 3D face reconstruction of each photo) and multimodal's pose preservation.

`model.landmark_model` (pose_editing) or `--landmark-model` (the multimodal sweep) names a
`face_reconstruction` export (`tfface export` folder
`<base>/<name>`, whose latest version is used, or one SavedModel version); its `landmarks`
signature maps uint8 images (B, s, s, 3) to `landmarks_3d` (B, 68, 3): the morphable
model's 68 landmark vertices under the predicted pose, (x, y) pixels and depth in pixels
(larger nearer the camera, 0 at the head's rotation centre) -- the frame of SynthFaces'
exact `landmarks`, so real and synthetic records condition the networks alike. It runs
reader-side on every batch of records that lack `landmarks` / `target_landmarks`
(Multi-PIE pairs from `pipelines/multipie.py`, CelebA-style single images for the
unpaired branch).
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from tfface.systems.face_reconstruction.export import LANDMARKS_SIGNATURE
from tfface.weights.identity_network import latest_version


class ReconstructionLandmarks:
    """float32 images (B, S, S, 3) in [-1, 1] -> float32 (B, 68, 3) landmarks in pixels of S.

    Args:
        path: a face_reconstruction export (module docstring).
        option: the setting that named `path`, for the messages.

    Raises:
        FileNotFoundError: nothing at `path`.
        ValueError: a SavedModel without the `landmarks` signature (not a face_reconstruction
            export, or one exported before the signature existed: export it again).
    """

    def __init__(self, path: str | Path, option: str = "model.landmark_model") -> None:
        location = Path(path)
        if not location.exists():
            raise FileNotFoundError(
                f"{option} {path} does not exist: give a face_reconstruction "
                "export (`tfface export RUN --base B --name N`, then B/N)"
            )
        self.path = latest_version(location) if location.is_dir() else location
        self.loaded = tf.saved_model.load(str(self.path))
        signature = self.loaded.signatures.get(LANDMARKS_SIGNATURE)
        if signature is None:
            raise ValueError(
                f"{option} {self.path} has no '{LANDMARKS_SIGNATURE}' signature "
                f"(signatures: {sorted(self.loaded.signatures)}): give a face_reconstruction "
                "export, exported again if it predates 3-D landmarks"
            )
        self.signature = signature
        spec = signature.structured_input_signature[1]["image"]
        self.input_size = int(spec.shape[1])

    def __call__(self, images: tf.Tensor) -> tf.Tensor:
        """The export's 3D landmarks of `images`, rescaled to their size S (pixel centres)."""
        size = images.shape[1]
        pixels = (tf.cast(images, tf.float32) + 1.0) * 127.5  # [0, 255]
        if size != self.input_size:
            pixels = tf.image.resize(pixels, (self.input_size, self.input_size), antialias=True)
        uint8 = tf.cast(tf.round(tf.clip_by_value(pixels, 0.0, 255.0)), tf.uint8)
        landmarks = self.signature(image=uint8)["landmarks_3d"]  # (B, 68, 3) pixels of s
        ratio = float(size) / float(self.input_size)
        # x, y: pixel centres (p + 0.5) scale by S / s; depth scales by S / s
        return tf.concat([(landmarks[..., :2] + 0.5) * ratio - 0.5, landmarks[..., 2:] * ratio], -1)
