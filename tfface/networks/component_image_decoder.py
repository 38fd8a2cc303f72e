"""D_local: the decoder of one facial component's autoencoder (local embedding sub-network)."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import (
    center_crop,
    embedding_to_map,
    halved,
    to_image,
    upsampling_unit,
)


def build_component_image_decoder(
    component_size: tuple[int, int],
    component: str,
    base_filters: int = 64,
    max_filters: int = 512,
    upsamplings: int = 4,
    latent_dim: int = 512,
    norm: str = "layer",
) -> keras.Model:
    """D_local^i of Gu et al. 2019 / S1408 thesis sec. 3.1.1 and 3.2.1: embedding -> component.

    Mirrors `build_component_encoder`: a dense layer to the encoder's last grid
    (ceil(h / 2^u) x ceil(w / 2^u)), `upsamplings` stride-2 transposed convolutions (filters
    halving down to `base_filters`), a centre crop to the exact component size and a 5 x 5
    reflection-padded convolution with tanh (Gu et al.'s DecoderGenerator_*_image). Trained
    by the local reconstruction loss, Eq. 3.1.

    Args:
        component_size: (height, width) of the reconstructed component image.
        component: component name, names the model.
        base_filters: filters of the last upsampling unit.
        max_filters: cap on the filters.
        upsamplings: stride-2 upsamplings (the encoder's downsamplings).
        latent_dim: size of the embedding.
        norm: normalisation (see `conv_blocks.normalization`).

    Input (B, latent_dim); output (B, h, w, 3) in [-1, 1].
    """
    height, width = component_size
    grid = (halved(height, upsamplings), halved(width, upsamplings))
    embedding = keras.Input((latent_dim,), name=f"{component}_embedding")
    features = embedding_to_map(
        embedding, grid, min(base_filters * 2**upsamplings, max_filters), "from_embedding", norm
    )
    for level in reversed(range(upsamplings)):
        filters = min(base_filters * 2**level, max_filters)
        features = upsampling_unit(
            features, filters, f"up{upsamplings - level}", norm, kernel_size=4
        )
    features = center_crop(features, (height, width), "crop")
    image = to_image(features, 5, "to_image")
    return keras.Model(embedding, image, name=f"{component}_decoder")
