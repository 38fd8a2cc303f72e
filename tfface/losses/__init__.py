"""Loss functions: pure functions returning PER-EXAMPLE losses of shape (B,).

Losses never average over the batch: the training framework sums per-example
losses and divides by the global batch size in one place (``GANSystem.reduce``),
so MirroredStrategy gets the scaling right. Images are float32 (B, H, W, C) in
[-1, 1], channels-last; masks are 1 where a pixel is known / compared.

| family           | module              | functions |
|------------------|---------------------|-----------|
| adversarial      | adversarial         | discriminator_adversarial_loss, generator_adversarial_loss, gradient_penalty |
| feature matching | feature_matching    | feature_matching_loss |
| perceptual       | perceptual(_presets)| content_loss, style_loss, gram_matrix, perceptual_losses, presets |
| regularisation   | regularization      | total_variation_loss, rigidity_loss |
| segmentation     | segmentation        | dice_loss, binary_cross_entropy_loss (OHEM), parsing_cross_entropy_loss |
| gap              | gap                 | gap_discriminator_loss, gap_generator_loss |
| reconstruction   | reconstruction, ssim| masked_l1_loss, masked_l2_loss, ssim_loss, structural_similarity |
| identity         | identity            | identity_cosine_distance, identity_l1_distance, identity_l2_distance |
| latent           | latent              | latent_reconstruction_loss, style_diversity_ratio, kl_divergence_loss |
"""

from tfface.losses.adversarial import (
    ADVERSARIAL_MODES,
    discriminator_adversarial_loss,
    generator_adversarial_loss,
    gradient_penalty,
)
from tfface.losses.feature_matching import feature_matching_loss
from tfface.losses.gap import gap_discriminator_loss, gap_generator_loss
from tfface.losses.hard_example_mining import hard_example_mean
from tfface.losses.identity import (
    identity_cosine_distance,
    identity_l1_distance,
    identity_l2_distance,
)
from tfface.losses.latent import (
    kl_divergence_loss,
    latent_reconstruction_loss,
    style_diversity_ratio,
)
from tfface.losses.perceptual import (
    CONTENT_DISTANCES,
    FeatureExtractor,
    content_loss,
    content_loss_from_features,
    gram_matrix,
    style_loss,
    style_loss_from_features,
)
from tfface.losses.perceptual_presets import (
    DEFORMATION,
    MULTIMODAL,
    PERCEPTUAL_PRESETS,
    STYLE_TRANSFER,
    PerceptualPreset,
    perceptual_losses,
    perceptual_preset,
)
from tfface.losses.reconstruction import masked_l1_loss, masked_l2_loss, ssim_loss
from tfface.losses.regularization import rigidity_loss, total_variation_loss
from tfface.losses.segmentation import (
    binary_cross_entropy_loss,
    dice_loss,
    ohem_binary_cross_entropy_loss,
    parsing_cross_entropy_loss,
)
from tfface.losses.ssim import ssim_map, structural_similarity

__all__ = [
    "ADVERSARIAL_MODES",
    "CONTENT_DISTANCES",
    "DEFORMATION",
    "MULTIMODAL",
    "PERCEPTUAL_PRESETS",
    "STYLE_TRANSFER",
    "FeatureExtractor",
    "PerceptualPreset",
    "binary_cross_entropy_loss",
    "content_loss",
    "content_loss_from_features",
    "dice_loss",
    "discriminator_adversarial_loss",
    "feature_matching_loss",
    "gap_discriminator_loss",
    "gap_generator_loss",
    "generator_adversarial_loss",
    "gradient_penalty",
    "gram_matrix",
    "hard_example_mean",
    "identity_cosine_distance",
    "identity_l1_distance",
    "identity_l2_distance",
    "kl_divergence_loss",
    "latent_reconstruction_loss",
    "masked_l1_loss",
    "masked_l2_loss",
    "ohem_binary_cross_entropy_loss",
    "parsing_cross_entropy_loss",
    "perceptual_losses",
    "perceptual_preset",
    "rigidity_loss",
    "ssim_loss",
    "ssim_map",
    "structural_similarity",
    "style_diversity_ratio",
    "style_loss",
    "style_loss_from_features",
    "total_variation_loss",
]
