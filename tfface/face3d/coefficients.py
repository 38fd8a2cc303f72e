"""The 3DMM coefficient vector: its layout and the split into named parts.

The order follows Deng et al. 2019 (the regressor behind Yin 2022, sections 4.3 and
5.3.3): identity, expression, texture, rotation, lighting, translation. With the
Basel Face Model of Deng et al. that is 80 + 64 + 80 + 3 + 27 + 3 = 257 values; the
thesis's 239 (section 5.3.3) keeps one monochrome set of 9 SH coefficients where this layout
keeps 9 per colour channel, as Deng et al. do.

    angles       (3,)  (yaw, pitch, roll) in RADIANS, tfface's pose convention
                       (`tfface.geometry.camera.rotation_matrix`)
    lighting     (27,) 9 spherical-harmonics coefficients per channel, R then G then B
                       (`tfface.face3d.lighting`)
    translation  (3,)  model units, added after the rotation
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

NUM_ANGLES = 3
NUM_LIGHTING = 27
NUM_TRANSLATION = 3


@dataclass(frozen=True)
class CoefficientLayout:
    """Sizes of the parts of a coefficient vector for a model with the given bases."""

    num_identity: int
    num_expression: int
    num_texture: int

    @classmethod
    def for_model(cls, model) -> CoefficientLayout:
        """The layout of a `MorphableModel`."""
        return cls(model.num_identity, model.num_expression, model.num_texture)

    @property
    def sizes(self) -> dict[str, int]:
        return {
            "identity": self.num_identity,
            "expression": self.num_expression,
            "texture": self.num_texture,
            "angles": NUM_ANGLES,
            "lighting": NUM_LIGHTING,
            "translation": NUM_TRANSLATION,
        }

    @property
    def size(self) -> int:
        """Length of the whole vector (257 for Deng et al.'s BFM)."""
        return sum(self.sizes.values())

    def split(self, coefficients: tf.Tensor) -> dict[str, tf.Tensor]:
        """float (..., size) -> dict of float (..., part size), differentiable."""
        coefficients = tf.convert_to_tensor(coefficients)
        parts = tf.split(coefficients, list(self.sizes.values()), axis=-1)
        return dict(zip(self.sizes, parts, strict=True))

    def join(self, **parts: np.ndarray) -> np.ndarray:
        """NumPy float32 (..., size) from named parts (missing parts are zeros; NumPy)."""
        unknown = set(parts) - set(self.sizes)
        if unknown:
            raise ValueError(
                f"unknown coefficient parts {sorted(unknown)}; known: {list(self.sizes)}"
            )
        batch_shape = next(iter(np.shape(value)[:-1] for value in parts.values()), ())
        pieces = []
        for name, size in self.sizes.items():
            value = np.asarray(parts.get(name, np.zeros(batch_shape + (size,))), np.float32)
            if value.shape[-1] != size:
                raise ValueError(
                    f"coefficient part {name!r} needs {size} values, got {value.shape[-1]}"
                )
            pieces.append(value)
        return np.concatenate(pieces, axis=-1).astype(np.float32)
