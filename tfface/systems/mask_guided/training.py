"""Training of the mask-guided system (S1408 thesis sec. 3.3, 4.3): the stages and the pairing.

`MaskGuidedSystem` trains in two stages (`stages()`, one train function each):

1. The first `parser_pretrain_steps` steps train only the face parser P_F on real
   images and masks (Eq. 3.7). Afterwards P_F is frozen: it is in no optimizer group
   used later (its `trainable` flag is never touched).
2. Every later step updates the generator networks (five local autoencoders with their
   D_sub-network decoders, E_m, G_m, E_b, G_b) on Eq. 3.9 and then the two
   multi-scale discriminators on Eq. 3.3. Steps alternate between paired data (source =
   target, all losses) and unpaired data (each target's source is its neighbour in the
   batch: examples 0<->1, 2<->3, ...; no global reconstruction and no feature matching,
   Eq. 3.10) in the ratio `paired_fraction`, decided from the step counter. Both cases
   run in one graph: the two loss terms are multiplied by a 0/1 `paired` flag, and their
   logged means count paired steps only (`PAIRED_ONLY_LOSSES`).

Pairing neighbours instead of rolling the whole batch keeps the pairs inside each
replica's share of the global batch (when that share is even), so MirroredStrategy
makes exactly the update of one device.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tensorflow as tf

from tfface.data.crops import COMPONENTS as CROPPED_COMPONENTS
from tfface.losses import parsing_cross_entropy_loss
from tfface.losses.per_example import mean_per_example
from tfface.systems.mask_guided.components import (
    CLASSES,
    REGION_COMPONENTS,
    enlarged_label_map,
    label_indices,
    region_image,
)

PAIRED_ONLY_LOSSES: tuple[str, ...] = ("global_loss", "feature_matching_loss")
"""Terms of paired steps only (Eq. 3.10): their logged means are over paired examples."""


def neighbour_indices(batch_size: tf.Tensor) -> tf.Tensor:
    """int32 (B,): the unpaired source of each example: 0<->1, 2<->3, ...; an odd last one takes
    its predecessor (a batch of one pairs with itself)."""
    index = tf.range(batch_size)
    partner = index + 1 - 2 * (index % 2)
    partner = tf.where(partner >= batch_size, index - 1, partner)
    return tf.maximum(partner, 0)


def paired_flag(generator_step: tf.Tensor, paired_fraction: float) -> tf.Tensor:
    """float32 scalar 1.0 if generator step `generator_step` (0-based) is paired, else 0.0.

    Step t is paired when ceil((t + 1) f) > ceil(t f): exactly a fraction f of the steps,
    evenly spread, step 0 paired (f = 0.5: paired, unpaired, paired, ...).
    """
    step = tf.cast(generator_step, tf.float64)
    fraction = tf.constant(paired_fraction, tf.float64)
    paired = tf.math.ceil((step + 1.0) * fraction) > tf.math.ceil(step * fraction)
    return tf.cast(paired, tf.float32)


def class_weighted_parsing_loss(
    labels: tf.Tensor, logits: tf.Tensor, class_weights: Sequence[float] = ()
) -> tf.Tensor:
    """Pixel-wise cross entropy (Eq. 3.7), each pixel weighted by its class's weight, (B,).

    The weights multiply the per-pixel losses, not the labels: TensorFlow's softmax cross
    entropy assumes labels that sum to one in its gradient.

    Args:
        labels: one-hot float32 (B, S, S, C).
        logits: float32 (B, S, S, C).
        class_weights: C weights, or empty for the plain loss.
    """
    if not class_weights:
        return parsing_cross_entropy_loss(labels, logits)
    per_pixel = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    weights = tf.reduce_sum(labels * tf.constant(class_weights, tf.float32), axis=-1)
    return mean_per_example(per_pixel * weights)


def gan_inputs(batch: Mapping[str, tf.Tensor], paired: tf.Tensor) -> dict[str, Any]:
    """What the GAN objectives need from a batch: targets, sources (paired or a neighbour's
    components) and the enlarged parsing target.

    Args:
        batch: the reader's output with crops and append regions: 'image' (B, S, S, 3),
            'label_map_11' one-hot (B, S, S, 11), 'label_map_11_index' (B, S, S),
            'crop_<eye|mouth>', 'box_<eye|mouth>' and 'append_<eye|mouth>'.
        paired: float32 scalar, 1.0 (source = target) or 0.0 (the neighbour's source).
    """
    target_image = batch["image"]  # x^t, (B, S, S, 3) in [-1, 1]
    target_mask = batch["label_map_11"]  # m^t, (B, S, S, 11)
    labels = label_indices(batch.get("label_map_11_index", target_mask))
    target_components = {name: batch[f"crop_{name}"] for name in CROPPED_COMPONENTS}
    for name, region_labels in REGION_COMPONENTS.items():
        target_components[name] = region_image(target_image, labels, region_labels)
    partner = neighbour_indices(tf.shape(target_image)[0])
    regions = {
        name: batch[f"append_{name}"] for name in CROPPED_COMPONENTS if f"append_{name}" in batch
    }
    return {  # the targets, the sources and the parsing target of Eq. 3.8
        "target_image": target_image,
        "target_mask": target_mask,
        "target_boxes": {name: batch[f"box_{name}"] for name in CROPPED_COMPONENTS},
        "source_components": {
            name: tf.where(paired > 0.5, value, tf.gather(value, partner))
            for name, value in target_components.items()
        },
        "parsing_target": tf.one_hot(enlarged_label_map(labels, regions), CLASSES),
    }
