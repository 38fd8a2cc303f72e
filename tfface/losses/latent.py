"""Latent-space losses: latent reconstruction, style-diversity ratio, KL to N(0, I)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import tensorflow as tf

from tfface.losses.input_checks import as_float32, check_choice, check_min_rank, check_same_shape
from tfface.losses.per_example import flatten_per_example, mean_per_example

LATENT_DISTANCES: tuple[str, ...] = ("l1", "constant")


def latent_reconstruction_loss(
    latents: tf.Tensor,
    reconstructed_latents: tf.Tensor,
    reduction: Literal["mean", "sum"] = "mean",
) -> tf.Tensor:
    """||z - E(G(y, z))||_1 per example; Bergqvist 2020 Eq. 3.1 (StarGAN v2), Liu 2019
    section 2.3.2 L_1^latent (BicycleGAN cLR-GAN).

    Args:
        latents: (B, D) latent codes z fed to the generator.
        reconstructed_latents: (B, D) encoder estimates E(G(y, z)).
        reduction: ``mean`` (mean absolute error, the StarGAN v2 / BicycleGAN code) or
            ``sum`` (the printed 1-norm).

    Returns:
        (B,) float32.
    """
    check_choice(reduction, ("mean", "sum"), "latent reduction")
    latents = as_float32(latents, "latents")
    reconstructed_latents = as_float32(reconstructed_latents, "reconstructed_latents")
    check_min_rank(latents, 2, "latents ((B, D))")
    check_same_shape(latents, reconstructed_latents, ("latents", "reconstructed_latents"))
    distance = flatten_per_example(tf.abs(latents - reconstructed_latents))
    if reduction == "mean":
        return tf.reduce_mean(distance, axis=1)
    return tf.reduce_sum(distance, axis=1)


def style_diversity_ratio(
    first_images: tf.Tensor,
    second_images: tf.Tensor,
    first_latents: tf.Tensor,
    second_latents: tf.Tensor,
    latent_distance: Literal["l1", "constant"] = "l1",
    image_distance: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] | None = None,
    epsilon: float = 1e-5,
) -> tf.Tensor:
    """Style-diversity ratio d_I(G(y, z1), G(y, z2)) / d_z(z1, z2); Bergqvist 2020 Eq. 3.2.

    The ratio is to be MAXIMISED (Eq. 3.2 is a max over G): the generator objective
    SUBTRACTS it, L_G = ... - lambda_sd * ratio (as in StarGAN v2, Choi et al. 2020). This function
    returns the ratio itself, >= 0.

    Args:
        first_images: (B, H, W, C) G(y, z1).
        second_images: (B, H, W, C) G(y, z2), same source y.
        first_latents: (B, D) z1 (or style vectors s1 = L(z1)).
        second_latents: (B, D) z2.
        latent_distance: ``l1`` mean |z1 - z2| (MSGAN / DSGAN) or ``constant`` d_z = 1
            (StarGAN v2's diversity-sensitive loss).
        image_distance: callable (images, images) -> (B,); default mean |x1 - x2|.
            Pass a perceptual distance for the thesis's d_I.
        epsilon: added to d_z.

    Returns:
        (B,) float32.
    """
    check_choice(latent_distance, LATENT_DISTANCES, "latent distance")
    first_images = as_float32(first_images, "first_images")
    second_images = as_float32(second_images, "second_images")
    check_same_shape(first_images, second_images, ("first_images", "second_images"))
    if image_distance is None:
        distance_images = mean_per_example(tf.abs(first_images - second_images))
    else:
        distance_images = as_float32(image_distance(first_images, second_images), "image_distance")
    if latent_distance == "constant":
        return distance_images
    first_latents = as_float32(first_latents, "first_latents")
    second_latents = as_float32(second_latents, "second_latents")
    check_min_rank(first_latents, 2, "first_latents ((B, D))")
    check_same_shape(first_latents, second_latents, ("first_latents", "second_latents"))
    distance_latents = mean_per_example(tf.abs(first_latents - second_latents))
    return distance_images / (distance_latents + epsilon)


def kl_divergence_loss(mean: tf.Tensor, log_variance: tf.Tensor) -> tf.Tensor:
    """KL(N(mean, diag(exp(log_variance))) || N(0, I)) per example, summed over latent dims.

    1/2 sum_k (exp(log_var_k) + mean_k^2 - 1 - log_var_k): Liu 2019 section 2.2.1 (VAE,
    unnumbered), section 2.3.2 (L_KL of BicycleGAN) and 2.4.2 (UNIT); Yin 2022 Eq. 2.16 / 2.18.

    Args:
        mean: (B, D) encoder means.
        log_variance: (B, D) encoder log-variances.

    Returns:
        (B,) float32, >= 0.
    """
    mean = as_float32(mean, "mean")
    log_variance = as_float32(log_variance, "log_variance")
    check_min_rank(mean, 2, "mean ((B, D))")
    check_same_shape(mean, log_variance, ("mean", "log_variance"))
    terms = tf.exp(log_variance) + tf.square(mean) - 1.0 - log_variance
    return 0.5 * tf.reduce_sum(flatten_per_example(terms), axis=1)
