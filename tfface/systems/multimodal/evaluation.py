"""The evaluation of Bergqvist 2020 sec. 3.5: FID against the target domain, LPIPS diversity.

- FID (`tfface.metrics.fid`): one G(y_i, z_i) per held-out source against every real
  held-out target (l.868-890), grey images tiled to 3 channels. The same statistic of the
  untranslated input (the source in grey) is the baseline a translator must beat.
- Diversity (`tfface.metrics.diversity`): `styles` samples G(y, z_1..M) per source, mean
  pairwise perceptual distance, averaged over the sources (l.892-922). The thesis uses
  AlexNet LPIPS; tfface's `PerceptualDistance` is the LPIPS form over VGG16: with its learned
  linear heads (`lpips_weights`, an .npz) it is reported as "perceptual_lpips", without them
  as "perceptual_unit" (raw unit-normalised VGG features), and the report names which.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import numpy as np
import tensorflow as tf

from tfface.metrics.diversity import Diversity
from tfface.metrics.fid import FrechetInceptionDistance
from tfface.metrics.perceptual import PerceptualDistance
from tfface.systems.multimodal.data import to_grey
from tfface.systems.multimodal.losses import to_three_channels


@dataclasses.dataclass(frozen=True)
class TranslationScores:
    """FID of the translations and of the untranslated input, and the diversity over z.

    Attributes:
        fid: FID(G(y, z), real targets).
        input_fid: FID(grey(y), real targets): the untranslated baseline.
        diversity: mean pairwise perceptual distance between styles of one source.
        diversity_metric: "perceptual_lpips" (learned heads) or "perceptual_unit" (raw VGG).
        sources: held-out sources evaluated.
        styles: samples per source of the diversity.
    """

    fid: float
    input_fid: float
    diversity: float
    diversity_metric: str
    sources: int
    styles: int

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def translation_scores(
    system,
    batches: Iterable[Mapping[str, tf.Tensor]],
    fid: FrechetInceptionDistance,
    distance: PerceptualDistance,
    styles: int = 10,
    seed: int = 0,
) -> TranslationScores:
    """Scores of `system` on finite `batches` of {'source', 'target'} in [-1, 1].

    Args:
        system: a `MultimodalSystem`.
        batches: held-out pairs (e.g. `translation_pairs(config, data_dir, "test").take(n)`).
        fid: a fresh FID accumulator (its extractor; tests inject random weights).
        distance: the perceptual distance of the diversity.
        styles: samples per source for the diversity (>= 2; the thesis's M, ours 10).
        seed: seed of the latents (stateless: the same seed gives the same scores).

    Raises:
        ValueError: fewer than 2 sources or styles.
    """
    if styles < 2:
        raise ValueError(f"diversity needs at least 2 styles per source, got {styles}")
    baseline = FrechetInceptionDistance(feature_function=fid.feature_function)
    diversity = Diversity(distance)
    sources = 0
    for index, batch in enumerate(batches):
        source, target = batch["source"], batch["target"]
        count = int(source.shape[0])
        latents = tf.random.stateless_normal([count, system.latent_size], [seed, index])
        translated = system.translate(source, latents)  # (B, S, S, 1)
        real_features = fid.features(to_three_channels(target))
        fid.update(to_three_channels(translated))
        fid.update_features(real_features, real=True)
        baseline.update(to_three_channels(to_grey(source)))
        baseline.update_features(real_features, real=True)
        seeds = tf.constant(np.arange(count) + 1000 * (index + 1) + seed, tf.int64)
        samples = system.translate_random(source, seeds, tf.fill([count], styles))
        samples = tf.reshape(samples, [count, styles, *samples.shape[1:]])
        for group in samples:
            diversity.update(to_three_channels(group))
        sources += count
    if sources < 2:
        raise ValueError(f"FID needs at least 2 held-out sources, got {sources}")
    result = diversity.result()
    return TranslationScores(
        fid=fid.result(),
        input_fid=baseline.result(),
        diversity=result.mean,
        diversity_metric=distance.name,
        sources=sources,
        styles=styles,
    )
