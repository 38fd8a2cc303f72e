"""The data of the translation family (Liu 2019, issue #23): paired domain images.

Paired records hold the two domains of one face as `image` (domain A) and `target_image`
(domain B). Two builders write them:

- `tfface data build synthfaces ... --pair-domains rgb painting`: SynthFaces renders of the
  same identity, pose, expression and scene as a photo-like `rgb` image and a `painting`
  (the thesis's photo <-> portrait task, Liu 2019 l.19, l.70; exact, pixel-aligned pairs).
- `tfface data build paired_folders --source A --target B`: the user's own paired folders
  (the thesis's AIPortrait pairs, l.683-687).

`direction` "a_to_b" translates `image` into `target_image`, "b_to_a" the reverse (the
thesis runs both, l.709). Unpaired systems (CycleGAN) read the same records, or the `image`
of two single-domain folders, as two independent streams (`unpaired_translation_batches`).
"""

from __future__ import annotations

import dataclasses
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


def unpaired_translation_batches(
    config: Any, data_dir: str, split: str = "train"
) -> tf.data.Dataset:
    """Repeated global batches {'domain_a', 'domain_b': float32 (B, S, S, 3) in [-1, 1]}
    of `split`: CycleGAN's unpaired data (Liu 2019 l.601-616).

    Domain A is the records' `image`. Domain B is, with `config.model.domain_b_dir` empty,
    the same records' `target_image` read as a second stream shuffled with another seed (so
    a batch's A and B images are not the pairs the records hold), or else the `image` of
    the records in `domain_b_dir` (`tfface data build image_folder` of the other domain).
    """
    domain_b_dir = config.model.domain_b_dir
    first = feature_batches(config, data_dir, split, ("image",))
    if domain_b_dir:
        second = feature_batches(config, domain_b_dir, split, ("image",))
    else:
        reseeded = dataclasses.replace(
            config, data=dataclasses.replace(config.data, seed=config.data.seed + 1)
        )
        second = feature_batches(reseeded, data_dir, split, ("target_image",))
    return tf.data.Dataset.zip(first, second).map(
        lambda a, b: {"domain_a": a["image"], "domain_b": next(iter(b.values()))},
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
