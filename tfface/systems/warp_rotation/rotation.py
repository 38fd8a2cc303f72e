"""The eager rotation API of warp_rotation (Sevastopolskiy 2019 sec. 3.3; Fig. 4.1).

`WarpRotationSystem.rotate(images, target_yaw=None)`: images are float (B, S, S, 3) or
(S, S, 3) in [-1, 1]; target_yaw is None (frontal), a number or one value per image, in
degrees within [-90, 90]. Inputs are checked with NumPy first (`inputs`); results are NumPy
arrays with a batch axis.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfface.systems.warp_rotation.inputs import as_images, as_target_yaws


class WarpRotationInference:
    """`rotate`; mixed into `WarpRotationSystem` (needs its `call` and `image_size`)."""

    image_size: int

    @tf.function(reduce_retracing=True)
    def _rotate(self, images: tf.Tensor, target_yaw: tf.Tensor) -> dict[str, tf.Tensor]:
        """float32 (B, S, S, 3), (B,) -> {'image', 'warped', 'hole_mask'} (see `call`)."""
        return self({"image": images, "target_yaw": target_yaw}, training=False)

    def rotate(self, images: object, target_yaw: object = None) -> dict[str, np.ndarray]:
        """Rotates faces to `target_yaw` (frontal by default).

        Returns:
            {'image': rotated faces float32 (B, S, S, 3) in [-1, 1], 'warped': the warped
            images with holes painted black (B, S, S, 3) in [-1, 1], 'hole_mask': float32
            (B, S, S, 1), 1 where the sampler left a hole}.
        """
        checked = as_images(images, self.image_size, "images")
        yaws = as_target_yaws(target_yaw, len(checked), self.model_config.target_yaw_input)
        outputs = self._rotate(tf.constant(checked), tf.constant(yaws))
        return {name: value.numpy() for name, value in outputs.items()}
