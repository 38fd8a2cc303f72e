"""Adversarial losses: non-saturating / original (minimax), least squares, hinge, Wasserstein.

Every function returns per-example losses (B,). A discriminator output may be a
single tensor, (B,), (B, 1) or a PatchGAN map (B, h, w, 1), averaged over its
positions per example, or a list of such tensors (multi-scale discriminators),
summed over scales.

Forms, with r = D(real), f = D(G(z)) (logits when ``from_logits``):

| mode           | discriminator                  | generator            | source |
|----------------|--------------------------------|----------------------|--------|
| non_saturating | -log s(r) - log(1 - s(f))      | -log s(f)            | Goodfellow 2014; Yin 2022 Eq. 2.26/2.28, Sevastopolskiy 2019 Eq. 3.10/3.11, S1408 2022 Eq. 3.3/3.4 |
| original       | same as non_saturating         | log(1 - s(f))        | Yin 2022 Eq. 2.21/2.22 (minimax) |
| least_squares  | 1/2 [(r - 1)^2 + f^2]          | (f - 1)^2            | Mao et al. 2017 (LSGAN); Sevastopolskiy 2019 Eq. 3.13 block (L^D_adv, L^G_adv) |
| hinge          | max(0, 1 - r) + max(0, 1 + f)  | -f                   | Yin 2022 Eq. 3.14 / 3.12 |
| wasserstein    | f - r                          | -f                   | Arjovsky et al. 2017; Yin 2022 Eq. 2.44/2.45 |

s is the sigmoid. ``from_logits`` only affects the two log forms: with
``from_logits=False`` the outputs are probabilities (a sigmoid-terminated
discriminator, as in Sevastopolskiy 2019) and are clipped to [epsilon, 1 - epsilon]. The
least-squares, hinge and Wasserstein forms use the outputs as given. Sevastopolskiy
2019 prints the LSGAN discriminator with the fake image twice; the second term is the
real image (Mao et al. 2017).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_rank
from tfface.losses.per_example import mean_per_example

AdversarialMode = Literal["non_saturating", "original", "least_squares", "hinge", "wasserstein"]
ADVERSARIAL_MODES: tuple[str, ...] = (
    "non_saturating",
    "original",
    "least_squares",
    "hinge",
    "wasserstein",
)
DiscriminatorOutputs = tf.Tensor | Sequence[tf.Tensor]


def _as_scales(outputs: DiscriminatorOutputs, name: str) -> list[tf.Tensor]:
    """A tensor or list of tensors -> list of float32 tensors (B, ...)."""
    scales = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if not scales:
        raise ValueError(f"{name} is an empty list; expected one tensor per discriminator scale")
    tensors = []
    for index, output in enumerate(scales):
        tensor = as_float32(output, f"{name}[{index}]")
        check_rank(tensor, (1, 2, 3, 4), f"{name}[{index}] (discriminator output (B, ...))")
        tensors.append(tensor)
    return tensors


def _log_sigmoid(outputs: tf.Tensor, from_logits: bool, epsilon: float) -> tf.Tensor:
    """log D for logits or probabilities."""
    if from_logits:
        return tf.math.log_sigmoid(outputs)
    return tf.math.log(tf.clip_by_value(outputs, epsilon, 1.0 - epsilon))


def _log_one_minus_sigmoid(outputs: tf.Tensor, from_logits: bool, epsilon: float) -> tf.Tensor:
    """log(1 - D) for logits or probabilities."""
    if from_logits:
        return tf.math.log_sigmoid(-outputs)
    return tf.math.log(tf.clip_by_value(1.0 - outputs, epsilon, 1.0 - epsilon))


def _real_term(real: tf.Tensor, mode: str, from_logits: bool, epsilon: float) -> tf.Tensor:
    if mode in ("non_saturating", "original"):
        return -_log_sigmoid(real, from_logits, epsilon)
    if mode == "least_squares":
        return 0.5 * tf.square(real - 1.0)
    if mode == "hinge":
        return tf.nn.relu(1.0 - real)
    return -real  # wasserstein


def _fake_term(fake: tf.Tensor, mode: str, from_logits: bool, epsilon: float) -> tf.Tensor:
    if mode in ("non_saturating", "original"):
        return -_log_one_minus_sigmoid(fake, from_logits, epsilon)
    if mode == "least_squares":
        return 0.5 * tf.square(fake)
    if mode == "hinge":
        return tf.nn.relu(1.0 + fake)
    return fake  # wasserstein


def _generator_term(fake: tf.Tensor, mode: str, from_logits: bool, epsilon: float) -> tf.Tensor:
    if mode == "non_saturating":
        return -_log_sigmoid(fake, from_logits, epsilon)
    if mode == "original":
        return _log_one_minus_sigmoid(fake, from_logits, epsilon)
    if mode == "least_squares":
        return tf.square(fake - 1.0)
    return -fake  # hinge, wasserstein


def discriminator_adversarial_loss(
    real_outputs: DiscriminatorOutputs,
    fake_outputs: DiscriminatorOutputs,
    mode: AdversarialMode = "non_saturating",
    from_logits: bool = True,
    epsilon: float = 1e-7,
) -> tf.Tensor:
    """Discriminator loss per example (see the module table).

    Args:
        real_outputs: D(real): tensor (B, ...) or list over scales.
        fake_outputs: D(fake): same structure and number of scales as ``real_outputs``.
        mode: one of ``ADVERSARIAL_MODES``.
        from_logits: outputs are logits (True) or probabilities (log forms only).
        epsilon: clipping of probabilities when ``from_logits`` is False.

    Returns:
        (B,) float32: sum over scales of (mean real term + mean fake term).
    """
    check_choice(mode, ADVERSARIAL_MODES, "adversarial mode")
    real_scales = _as_scales(real_outputs, "real_outputs")
    fake_scales = _as_scales(fake_outputs, "fake_outputs")
    if len(real_scales) != len(fake_scales):
        raise ValueError(
            f"real_outputs has {len(real_scales)} scales but fake_outputs has {len(fake_scales)}"
        )
    total = 0.0
    for real, fake in zip(real_scales, fake_scales, strict=True):
        total += mean_per_example(_real_term(real, mode, from_logits, epsilon))
        total += mean_per_example(_fake_term(fake, mode, from_logits, epsilon))
    return total


def generator_adversarial_loss(
    fake_outputs: DiscriminatorOutputs,
    mode: AdversarialMode = "non_saturating",
    from_logits: bool = True,
    epsilon: float = 1e-7,
) -> tf.Tensor:
    """Generator loss per example (see the module table).

    Args:
        fake_outputs: D(G(z)): tensor (B, ...) or list over scales.
        mode: one of ``ADVERSARIAL_MODES``; ``original`` is the saturating minimax form.
        from_logits: outputs are logits (True) or probabilities (log forms only).
        epsilon: clipping of probabilities when ``from_logits`` is False.

    Returns:
        (B,) float32: sum over scales of the mean generator term.
    """
    check_choice(mode, ADVERSARIAL_MODES, "adversarial mode")
    total = 0.0
    for fake in _as_scales(fake_outputs, "fake_outputs"):
        total += mean_per_example(_generator_term(fake, mode, from_logits, epsilon))
    return total


def gradient_penalty(
    discriminator: Callable[[tf.Tensor], DiscriminatorOutputs],
    real_images: tf.Tensor,
    fake_images: tf.Tensor,
    interpolation_weights: tf.Tensor,
) -> tf.Tensor:
    """WGAN-GP penalty (||grad_x D(x_hat)||_2 - 1)^2 per example; Yin 2022 Eq. 2.47.

    Args:
        discriminator: callable images -> outputs (tensor or list over scales; summed).
        real_images: (B, H, W, C) in [-1, 1].
        fake_images: (B, H, W, C) in [-1, 1].
        interpolation_weights: (B,) or (B, 1, 1, 1) in [0, 1], drawn by the caller
            with a seeded generator; x_hat = w * real + (1 - w) * fake.

    Returns:
        (B,) float32 (multiply by lambda = 10 in the objective).
    """
    real_images = as_float32(real_images, "real_images")
    fake_images = as_float32(fake_images, "fake_images")
    weights = tf.reshape(as_float32(interpolation_weights, "interpolation_weights"), (-1, 1, 1, 1))
    interpolated = weights * real_images + (1.0 - weights) * fake_images
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        outputs = _as_scales(discriminator(interpolated), "discriminator outputs")
        score = tf.add_n([tf.reduce_sum(output) for output in outputs])
    gradients = tape.gradient(score, interpolated)
    norm = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]) + 1e-12)
    return tf.square(norm - 1.0)
