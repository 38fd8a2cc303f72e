"""The networks of the mask-guided system (Gu et al. CVPR 2019; S1408 thesis Fig. 3.1-3.4).

Five component autoencoders (E_local^i, D_local^i, the D_sub-network feature decoders), the
target mask encoder E_m, the mask-guided generator G_m, the background encoder E_b and
fusing generator G_b (the inference path), two multi-scale conditional patch
discriminators and the face parser P_F.
"""

from __future__ import annotations

import keras

from tfface.networks import (
    build_background_encoder,
    build_background_fusing_generator,
    build_component_encoder,
    build_component_feature_decoder,
    build_component_image_decoder,
    build_conditional_patch_discriminator,
    build_face_parser,
    build_mask_encoder,
    build_mask_guided_generator,
    build_multi_mask_encoder,
)
from tfface.systems.mask_guided.components import (
    CLASSES,
    COMPONENT_NAMES,
    REGION_COMPONENTS,
    component_sizes,
)
from tfface.systems.mask_guided.config import MaskGuidedModelConfig

INFERENCE_PATH: tuple[str, ...] = (
    *(f"{component}_encoder" for component in COMPONENT_NAMES),
    *(f"{component}_decoder" for component in COMPONENT_NAMES),
    *(f"{component}_feature_decoder" for component in COMPONENT_NAMES),
    "mask_encoder",
    "mask_guided_generator",
    "background_encoder",
    "background_fusing_generator",
)
"""The networks of the inference path (updated by the generator objective, Eq. 3.9; EMA)."""
DISCRIMINATORS: tuple[str, ...] = ("discriminator_1", "discriminator_2")

REGION_EXTRA_DOWNSAMPLINGS = 3
"""Skin and hair encoders (whole images) halve 3 more times than the eye / mouth encoders
(Gu et al.: 7 halvings for 256 px skin images, 4 for the crops)."""


def mask_guided_networks(model: MaskGuidedModelConfig, seed: int = 0) -> dict[str, keras.Model]:
    """Every network of the system, built from `model` (with its image_size set), seeded.

    Names: '<component>_encoder', '<component>_decoder', '<component>_feature_decoder' for
    the five components, 'mask_encoder', 'mask_guided_generator', 'background_encoder',
    'background_fusing_generator', 'discriminator_1', 'discriminator_2', 'face_parser'.
    """
    keras.utils.set_random_seed(seed)
    size = model.image_size
    networks: dict[str, keras.Model] = {}
    for name, component_size in component_sizes(size).items():
        downsamplings = model.local_downsamplings + (
            REGION_EXTRA_DOWNSAMPLINGS if name in REGION_COMPONENTS else 0
        )
        shared = dict(
            component_size=component_size,
            component=name,
            base_filters=model.local_base_filters,
            max_filters=model.local_max_filters,
            latent_dim=model.latent_dim,
            norm=model.local_norm,
        )
        networks[f"{name}_encoder"] = build_component_encoder(
            downsamplings=downsamplings, variational=model.vae_local_embeddings, **shared
        )
        networks[f"{name}_decoder"] = build_component_image_decoder(
            upsamplings=downsamplings, **shared
        )
        networks[f"{name}_feature_decoder"] = build_component_feature_decoder(
            feature_channels=model.feature_channels, upsamplings=downsamplings, **shared
        )
    mask_encoder = (
        build_multi_mask_encoder if model.multi_target_mask_encoder else build_mask_encoder
    )
    networks["mask_encoder"] = mask_encoder(size, CLASSES, model.base_filters)
    fused_channels = (
        networks["mask_encoder"].output.shape[-1] + len(COMPONENT_NAMES) * model.feature_channels
    )
    networks["mask_guided_generator"] = build_mask_guided_generator(
        size, fused_channels, model.base_filters, model.downsamplings, model.residual_blocks
    )
    networks["background_encoder"] = build_background_encoder(size, model.base_filters)
    networks["background_fusing_generator"] = build_background_fusing_generator(
        size, model.base_filters, model.base_filters, model.base_filters
    )
    for scale in range(2):
        networks[f"discriminator_{scale + 1}"] = build_conditional_patch_discriminator(
            size,
            CLASSES,
            model.discriminator_base_filters,
            model.discriminator_layers,
            input_downsamplings=scale,
            name=f"discriminator_{scale + 1}",
        )
    networks["face_parser"] = build_face_parser(
        size, CLASSES, model.parser_base_filters, model.parser_depth, norm=model.parser_norm
    )
    return networks
