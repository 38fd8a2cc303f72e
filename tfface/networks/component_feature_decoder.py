"""D_sub-network: decodes a component embedding into feature maps for the generator G_m."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import (
    center_crop,
    conv_unit,
    embedding_to_map,
    halved,
    upsampling_unit,
)

FEATURE_DOWNSCALE = 4
"""Component feature maps have 1/4 of the component's resolution, like E_m's mask features."""


def component_feature_size(component_size: tuple[int, int]) -> tuple[int, int]:
    """(ceil(h / 4), ceil(w / 4)): the side of a component's feature map."""
    return halved(component_size[0], 2), halved(component_size[1], 2)


def build_component_feature_decoder(
    component_size: tuple[int, int],
    component: str,
    feature_channels: int = 64,
    base_filters: int = 64,
    max_filters: int = 512,
    upsamplings: int = 4,
    latent_dim: int = 512,
    norm: str = "layer",
) -> keras.Model:
    """D_sub-network^i of Gu et al. 2019 / S1408 thesis sec. 3.1.1-3.1.2 (Fig. 3.3).

    A second decoder on the local embedding whose output feeds the mask-guided generator
    G_m: a dense layer to the encoder's last grid, `upsamplings - 2` stride-2 transposed
    convolutions, a centre crop to 1/4 of the component size (the resolution of E_m's mask
    features, where the maps are placed at the target mask's component centres) and a
    3 x 3 convolution to `feature_channels` with ReLU.

    Args:
        component_size: (height, width) of the component image the embedding came from.
        component: component name, names the model.
        feature_channels: channels of the output feature map.
        base_filters: filters at the component's full resolution (doubling per halving).
        max_filters: cap on the filters.
        upsamplings: the encoder's downsamplings (>= 2).
        latent_dim: size of the embedding.
        norm: normalisation (see `conv_blocks.normalization`).

    Input (B, latent_dim); output (B, ceil(h / 4), ceil(w / 4), feature_channels), >= 0.
    """
    if upsamplings < 2:
        raise ValueError(f"the component feature decoder needs upsamplings >= 2, got {upsamplings}")
    height, width = component_size
    grid = (halved(height, upsamplings), halved(width, upsamplings))
    embedding = keras.Input((latent_dim,), name=f"{component}_embedding")
    features = embedding_to_map(
        embedding, grid, min(base_filters * 2**upsamplings, max_filters), "from_embedding", norm
    )
    for level in reversed(range(2, upsamplings)):
        filters = min(base_filters * 2**level, max_filters)
        features = upsampling_unit(
            features, filters, f"up{upsamplings - level}", norm, kernel_size=4
        )
    features = center_crop(features, component_feature_size(component_size), "crop")
    features = conv_unit(features, feature_channels, 3, "to_features", norm="none")
    return keras.Model(embedding, features, name=f"{component}_feature_decoder")
