"""VAE reparameterisation sampling."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from tfface.layers._validation import split_input_shapes


@keras.saving.register_keras_serializable(package="tfface")
class Reparameterize(keras.layers.Layer):
    """Samples z ~ N(mu, exp(logvar)) differentiably: z = mu + exp(0.5 * logvar) * eps.

    Liu 2019, Sec. 2.2.1 (reparameterisation trick, z = mu + sigma * eps with
    eps ~ N(0, 1)); Kingma & Welling 2014. eps comes from a keras.random.SeedGenerator, so a
    given seed gives the same sequence of samples. Deterministic by default outside training:
    with training=False (inference, export) it returns mu, unless sampling is requested with
    `sample=True` (constructor default or per call), e.g. to draw diverse outputs at test time.

    Args:
        seed: seed of the layer's SeedGenerator (None: random).
        sample: sample also when training is False.
        **kwargs: keras.layers.Layer arguments.

    Inputs [mu, logvar], equal shapes (B, ...) (log-variance, natural log); output like mu.
    Call: layer([mu, logvar], training=None, sample=None) (sample=None: the constructor value).
    """

    def __init__(self, seed: int | None = None, sample: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"Reparameterize seed must be an int or None, got {seed!r}.")
        self.seed = seed
        self.sample = bool(sample)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape: list) -> None:
        mu_shape, logvar_shape = split_input_shapes(input_shape, (2,), "Reparameterize")
        if len(mu_shape) != len(logvar_shape) or any(
            a is not None and b is not None and a != b
            for a, b in zip(mu_shape, logvar_shape, strict=True)
        ):
            raise ValueError(
                f"Reparameterize: mu {mu_shape} and logvar {logvar_shape} must have equal shapes."
            )

    def call(self, inputs, training=None, sample=None):
        mu, logvar = inputs
        draw = self.sample if sample is None else bool(sample)
        if not (training or draw):
            return mu
        epsilon = keras.random.normal(ops.shape(mu), dtype=mu.dtype, seed=self.seed_generator)
        return mu + ops.exp(0.5 * logvar) * epsilon

    def compute_output_shape(self, input_shape: list) -> tuple:
        return tuple(input_shape[0])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "sample": self.sample}
