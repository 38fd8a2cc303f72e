"""The shard pattern of a split in a tfface dataset directory (`<split>-*.tfrecord`).

Each system's `dataset(config, data_dir, split="train")` reads its batches from one split:
the training split for `tfface train`, the validation split for `fit(validation_data=...)`.
"""

from __future__ import annotations

import os

SPLITS: tuple[str, ...] = ("train", "validation", "test")
"""The splits a tfface Beam job writes (`tfface.data.validate.SPLITS`)."""


def split_pattern(data_dir: str, split: str) -> str:
    """The glob of `split`'s shards in `data_dir`.

    Raises:
        ValueError: `split` is not one of `SPLITS`.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; splits: {', '.join(SPLITS)}")
    return os.path.join(data_dir, f"{split}-*.tfrecord")
