"""E_local: the encoder of one facial component's autoencoder (local embedding sub-network)."""

from __future__ import annotations

import keras

from tfface.networks.conv_blocks import conv_unit, halved


def build_component_encoder(
    component_size: tuple[int, int],
    component: str,
    base_filters: int = 64,
    max_filters: int = 512,
    downsamplings: int = 4,
    latent_dim: int = 512,
    norm: str = "layer",
    variational: bool = False,
) -> keras.Model:
    """E_local^i of Gu et al. 2019 / S1408 thesis sec. 3.1.1 and 3.2.1 (Fig. 3.2).

    A component image (an eye or mouth crop, or the whole image masked to the skin or hair
    component) goes through a 3 x 3 stem and `downsamplings` stride-2 4 x 4 convolutions
    (filters doubling from `base_filters`, capped at `max_filters`), then a dense layer to
    the embedding (Gu et al. use a 512-vector; the thesis lists 4 encoder downsamplings).
    The thesis uses batch norm; the default "layer" norm normalises per example, so
    distributed training equals one device and 1 x 1 maps keep their information.
    With `variational` (thesis sec. 4.5.3, the VAE local embedding experiment) the encoder
    returns a mean and a log-variance instead of one code.

    Args:
        component_size: (height, width) of the component image.
        component: component name (left_eye, right_eye, mouth, skin, hair), names the model.
        base_filters: filters of the stem.
        max_filters: cap on the filters.
        downsamplings: stride-2 convolutions (the map side is halved, rounding up).
        latent_dim: size of the embedding.
        norm: normalisation of the conv units (see `conv_blocks.normalization`).
        variational: output [mean, log_variance] instead of the embedding.

    Input (B, h, w, 3) in [-1, 1]; output (B, latent_dim) (or a list of two such tensors).
    """
    if downsamplings < 0:
        raise ValueError(f"downsamplings must be >= 0, got {downsamplings}")
    height, width = component_size
    image = keras.Input((height, width, 3), name=f"{component}_image")
    features = conv_unit(image, base_filters, 3, "stem", norm=norm, activation="leaky_relu")
    for level in range(downsamplings):
        filters = min(base_filters * 2 ** (level + 1), max_filters)
        features = conv_unit(
            features, filters, 4, f"down{level + 1}", strides=2, norm=norm, activation="leaky_relu"
        )
    # (B, ceil(h / 2^d), ceil(w / 2^d), filters) -> (B, latent_dim)
    assert features.shape[1:3] == (halved(height, downsamplings), halved(width, downsamplings))
    flat = keras.layers.Flatten(name="flatten")(features)
    if variational:
        mean = keras.layers.Dense(latent_dim, name="mean")(flat)
        log_variance = keras.layers.Dense(latent_dim, name="log_variance")(flat)
        return keras.Model(image, [mean, log_variance], name=f"{component}_encoder")
    embedding = keras.layers.Dense(latent_dim, name="embedding")(flat)
    return keras.Model(image, embedding, name=f"{component}_encoder")
