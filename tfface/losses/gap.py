"""Gap-discriminator losses (Sevastopolskiy 2019, section 3.2-3.4).

A gap discriminator h is a segmentation network that predicts, from an inpainted
image, which pixels were known (mask m = 1: non-hole, copied from the input) and
which were filled in (m = 0: hole). h outputs the probability that a pixel is known.
The inpainter is trained to defeat it. With |m| the number of known pixels:

- discriminator, class-balanced (Eq. 3.12):
  -[ sum(m log h) / |m| + sum((1 - m) log(1 - h)) / |1 - m| ]
  (``balanced=False``: the section 3.4 form, -1/(HW) sum[(1 - m) log(1 - h) + m log h]);
- generator, ``holes`` (section 3.3): -sum((1 - m) log h) / |1 - m|, non-saturating:
  filled-in pixels should look known;
- generator, ``all_pixels`` (section 3.4, Eq. 3.13 block, L^G_gap):
  -1/(HW) sum log(1 - h + eps), literally as printed;
- generator, ``zero_sum`` (text after Eq. 3.12: the inpainter "maximizes the same
  cross-entropy loss"): minus the class-balanced discriminator loss.

The two terms of the balanced form are means over their own class, so a few hole
pixels weigh as much as many known ones. A class absent from an example contributes 0.
"""

from __future__ import annotations

from typing import Literal, get_args

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_rank, check_same_shape
from tfface.losses.per_example import mean_per_example, sum_per_example

GapGeneratorForm = Literal["holes", "all_pixels", "zero_sum"]
"""The generator's gap loss forms (module docstring); config fields annotate with it."""
GAP_GENERATOR_FORMS: tuple[str, ...] = get_args(GapGeneratorForm)


def _gap_inputs(mask: tf.Tensor, predictions: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Mask and predictions as float32 (B, H, W, 1)."""
    mask = as_float32(mask, "mask")
    predictions = as_float32(predictions, "predictions")
    check_rank(mask, (3, 4), "mask ((B, H, W) or (B, H, W, 1), 1 = known pixel)")
    check_rank(predictions, (3, 4), "predictions ((B, H, W) or (B, H, W, 1))")
    if mask.shape.rank == 3:
        mask = mask[..., tf.newaxis]
    if predictions.shape.rank == 3:
        predictions = predictions[..., tf.newaxis]
    check_same_shape(mask, predictions, ("mask", "predictions"))
    return mask, predictions


def _log_probabilities(
    predictions: tf.Tensor, from_logits: bool, epsilon: float
) -> tuple[tf.Tensor, tf.Tensor]:
    """(log h, log(1 - h)) for logits or probabilities."""
    if from_logits:
        return tf.math.log_sigmoid(predictions), tf.math.log_sigmoid(-predictions)
    return tf.math.log(predictions + epsilon), tf.math.log(1.0 - predictions + epsilon)


def gap_discriminator_loss(
    mask: tf.Tensor,
    predictions: tf.Tensor,
    from_logits: bool = False,
    balanced: bool = True,
    epsilon: float = 1e-7,
) -> tf.Tensor:
    """Gap-discriminator loss per example (module docstring; Sevastopolskiy 2019 Eq. 3.12).

    Args:
        mask: (B, H, W[, 1]) 1 = known (non-hole) pixel, 0 = hole.
        predictions: h of the same shape: probability of "known", or logits.
        from_logits: predictions are logits.
        balanced: class-balanced Eq. 3.12 (True) or per-pixel mean of section 3.4.
        epsilon: log(p + epsilon) for probabilities.

    Returns:
        (B,) float32.
    """
    mask, predictions = _gap_inputs(mask, predictions)
    log_known, log_hole = _log_probabilities(predictions, from_logits, epsilon)
    known_terms = mask * log_known
    hole_terms = (1.0 - mask) * log_hole
    if not balanced:
        return -mean_per_example(known_terms + hole_terms)
    known_mean = tf.math.divide_no_nan(sum_per_example(known_terms), sum_per_example(mask))
    hole_mean = tf.math.divide_no_nan(sum_per_example(hole_terms), sum_per_example(1.0 - mask))
    return -(known_mean + hole_mean)


def gap_generator_loss(
    mask: tf.Tensor,
    predictions: tf.Tensor,
    form: GapGeneratorForm = "holes",
    from_logits: bool = False,
    epsilon: float = 1e-7,
) -> tf.Tensor:
    """Inpainter (generator) loss against the gap discriminator, per example.

    Args:
        mask: (B, H, W[, 1]) 1 = known (non-hole) pixel, 0 = hole.
        predictions: h(inpainted image), same shape: probability of "known", or logits.
        form: ``holes`` (section 3.3), ``all_pixels`` (section 3.4) or ``zero_sum``
            (negated Eq. 3.12); see the module docstring.
        from_logits: predictions are logits.
        epsilon: log(p + epsilon) for probabilities.

    Returns:
        (B,) float32 (``zero_sum`` is <= 0).
    """
    check_choice(form, GAP_GENERATOR_FORMS, "gap generator form")
    if form == "zero_sum":
        return -gap_discriminator_loss(mask, predictions, from_logits, True, epsilon)
    mask, predictions = _gap_inputs(mask, predictions)
    log_known, log_hole = _log_probabilities(predictions, from_logits, epsilon)
    if form == "all_pixels":
        return -mean_per_example(log_hole)
    holes = 1.0 - mask
    return -tf.math.divide_no_nan(sum_per_example(holes * log_known), sum_per_example(holes))
