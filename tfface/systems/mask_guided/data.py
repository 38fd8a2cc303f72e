"""The data recipe of the mask-guided system: images, masks, component crops, append regions."""

from __future__ import annotations

import tensorflow as tf

from tfface.systems.data_recipes import feature_batches
from tfface.systems.mask_guided.config import MaskGuidedConfig


def portrait_batches(
    config: MaskGuidedConfig, data_dir: str, split: str = "train"
) -> tf.data.Dataset:
    """Repeated GLOBAL batches of `split` (train, validation or test).

    Each batch: 'image' float32 (B, S, S, 3) in [-1, 1], 'label_map_11' one-hot
    (B, S, S, 11), 'label_map_11_index' (B, S, S), the eye and mouth crops 'crop_<c>' with
    their corners 'box_<c>' (int32 (B, 2)) and the enlarged regions 'append_<c>' (float32
    (B, S, S, 1)) of the parsing target (thesis sec. 4.2.2).
    """
    return feature_batches(
        config,
        data_dir,
        split,
        ("image", "label_map_11"),
        crops=True,
        eye_pixels_only=config.model.eye_pixels_only,
        append_regions=True,
    )
