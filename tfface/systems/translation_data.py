"""The data of the translation family (Liu 2019, issue #23): paired domain images.

Paired records hold the two domains of one face as `image` (domain A) and `target_image`
(domain B). Two builders write them:

- `tfface data build synthfaces ... --pair-domains rgb painting`: SynthFaces renders of the
  same identity, pose, expression and scene as a photo-like `rgb` image and a `painting`
  (the thesis's photo <-> portrait task, Liu 2019 l.19, l.70; exact, pixel-aligned pairs).
- `tfface data build paired_folders --source A --target B`: the user's own paired folders
  (the thesis's AIPortrait pairs, l.683-687).

`direction` "a_to_b" translates `image` into `target_image`, "b_to_a" the reverse (the
thesis runs both, l.709).
"""

from __future__ import annotations

from typing import Any, Literal

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches

Direction = Literal["a_to_b", "b_to_a"]
DIRECTIONS = ("a_to_b", "b_to_a")
PAIR_FEATURES = ("image", "target_image")
"""The record features of a pair: domain A, domain B."""


def oriented(batch: dict, direction: str) -> dict:
    """{'image' (A), 'target_image' (B)} -> {'source', 'target'} of `direction`."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    first, second = batch["image"], batch["target_image"]
    if direction == "b_to_a":
        first, second = second, first
    return {"source": first, "target": second}


def paired_translation_batches(config: Any, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated global batches {'source', 'target': float32 (B, S, S, 3) in [-1, 1]} of
    `split`, oriented by `config.model.direction` (module docstring)."""
    direction = config.model.direction
    return feature_batches(config, data_dir, split, PAIR_FEATURES).map(
        lambda batch: oriented(batch, direction),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
