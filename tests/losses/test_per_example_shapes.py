"""Every loss returns one value per example, shape (B,), and is usable inside tf.function."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface import losses

BATCH = 3
RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(-1, 1, size=(BATCH, 16, 16, 3)).astype(np.float32)
OTHER = RNG.uniform(-1, 1, size=(BATCH, 16, 16, 3)).astype(np.float32)
MASK = (RNG.uniform(size=(BATCH, 16, 16, 1)) > 0.3).astype(np.float32)
PATCH = RNG.normal(size=(BATCH, 4, 4, 1)).astype(np.float32)
LATENTS = RNG.normal(size=(BATCH, 8)).astype(np.float32)


def extractor(images: tf.Tensor) -> dict[str, tf.Tensor]:
    return {"a": images, "b": tf.nn.avg_pool2d(images, 2, 2, "VALID")}


CASES = {
    "discriminator_adversarial": lambda: losses.discriminator_adversarial_loss(PATCH, PATCH),
    "generator_adversarial": lambda: losses.generator_adversarial_loss([PATCH, PATCH[:, :2, :2]]),
    "feature_matching": lambda: losses.feature_matching_loss([IMAGES], [OTHER]),
    "content": lambda: losses.content_loss(extractor, IMAGES, OTHER, {"a": 1.0, "b": 1.0}),
    "style": lambda: losses.style_loss(extractor, IMAGES, OTHER, {"b": 1.0}),
    "total_variation": lambda: losses.total_variation_loss(IMAGES),
    "rigidity": lambda: losses.rigidity_loss(IMAGES[..., :2]),
    "dice": lambda: losses.dice_loss(MASK, MASK * 0.5),
    "bce_ohem": lambda: losses.ohem_binary_cross_entropy_loss(MASK, MASK * 0.5 + 0.2),
    "parsing": lambda: losses.parsing_cross_entropy_loss(
        tf.one_hot(MASK[..., 0], 2), IMAGES[..., :2]
    ),
    "gap_discriminator": lambda: losses.gap_discriminator_loss(MASK, MASK * 0.5 + 0.2),
    "gap_generator": lambda: losses.gap_generator_loss(MASK, MASK * 0.5 + 0.2),
    "masked_l1": lambda: losses.masked_l1_loss(IMAGES, OTHER, MASK),
    "masked_l2": lambda: losses.masked_l2_loss(IMAGES, OTHER, MASK),
    "ssim": lambda: losses.ssim_loss(IMAGES, OTHER, MASK, hard_fraction=0.5),
    "identity_cosine": lambda: losses.identity_cosine_distance(LATENTS, LATENTS[::-1]),
    "identity_l1": lambda: losses.identity_l1_distance(LATENTS, LATENTS[::-1]),
    "latent_reconstruction": lambda: losses.latent_reconstruction_loss(LATENTS, LATENTS[::-1]),
    "style_diversity": lambda: losses.style_diversity_ratio(IMAGES, OTHER, LATENTS, LATENTS[::-1]),
    "kl": lambda: losses.kl_divergence_loss(LATENTS, LATENTS),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_is_per_example_and_finite(name: str) -> None:
    eager = CASES[name]()
    assert eager.shape == (BATCH,), name
    assert eager.dtype == tf.float32
    assert np.isfinite(eager.numpy()).all()
    traced = tf.function(CASES[name])()
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-5, atol=1e-6)
