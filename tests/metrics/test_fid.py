"""Streaming FID with injected feature functions, caching, sample-count rules; InceptionFeatures plumbing."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from tfface.metrics.fid import FrechetInceptionDistance
from tfface.metrics.frechet import frechet_distance


class PooledPixels:
    """A stand-in feature extractor: 4 x 4 average-pooled pixels, 48-d, with metadata."""

    metadata = {"extractor": "pooled_pixels", "weights": "none", "resize": "none", "image_size": 16}

    def __call__(self, images: tf.Tensor) -> tf.Tensor:
        pooled = tf.nn.avg_pool2d(tf.cast(images, tf.float32), 4, 4, "VALID")
        return tf.reshape(pooled, [tf.shape(images)[0], -1])


def image_batches(seed: int, count: int, shift: float = 0.0, batch: int = 50):
    generator = np.random.default_rng(seed)
    for start in range(0, count, batch):
        size = min(batch, count - start)
        yield np.clip(generator.uniform(-1, 1, (size, 16, 16, 3)) * 0.8 + shift, -1, 1).astype(
            np.float32
        )


def fid_of(shift: float, seed_real: int = 0, seed_generated: int = 1, count: int = 300) -> float:
    metric = FrechetInceptionDistance(PooledPixels())
    for images in image_batches(seed_real, count):
        metric.update(images, real=True)
    for images in image_batches(seed_generated, count, shift):
        metric.update(images)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # < 2048 samples
        return metric.result()


def test_fid_of_a_set_with_itself_is_zero_and_grows_with_a_mean_shift() -> None:
    assert fid_of(0.0, seed_real=0, seed_generated=0) == pytest.approx(0.0, abs=1e-6)
    values = [fid_of(shift) for shift in (0.0, 0.1, 0.2, 0.4)]
    assert values[0] < values[1] < values[2] < values[3]
    assert values[0] < 0.2 * values[1]


def test_streaming_equals_the_formula_on_all_features_at_once() -> None:
    extractor = PooledPixels()
    real = np.concatenate([extractor(images).numpy() for images in image_batches(0, 200)])
    generated = np.concatenate([extractor(images).numpy() for images in image_batches(1, 200, 0.1)])
    expected = frechet_distance(
        generated.mean(0).astype(np.float64),
        np.cov(generated.astype(np.float64), rowvar=False),
        real.mean(0).astype(np.float64),
        np.cov(real.astype(np.float64), rowvar=False),
    )
    assert fid_of(0.1, count=200) == pytest.approx(expected, rel=1e-6)


def test_sample_count_rules() -> None:
    metric = FrechetInceptionDistance(PooledPixels())
    metric.update(next(image_batches(0, 1)), real=True)
    metric.update(next(image_batches(1, 5)))
    with pytest.raises(ValueError, match="at least 2"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generated set's < 2048 warning comes first
        metric.result()
    metric.update(next(image_batches(2, 5)), real=True)
    with pytest.warns(UserWarning, match="2048"):
        metric.result()


def test_cached_reference_statistics_are_reused_and_checked(tmp_path: Path) -> None:
    metric = FrechetInceptionDistance(PooledPixels())
    for images in image_batches(0, 200):
        metric.update(images, real=True)
    for images in image_batches(1, 200, 0.2):
        metric.update(images)
    path = metric.save_reference(tmp_path / "real.npz")
    cached = FrechetInceptionDistance(PooledPixels(), reference=path)
    for images in image_batches(1, 200, 0.2):
        cached.update(images)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cached.result() == pytest.approx(metric.result(), rel=1e-9)
    with pytest.raises(ValueError, match="cannot add more"):
        cached.update(next(image_batches(0, 2)), real=True)

    class OtherWeights(PooledPixels):
        metadata = {**PooledPixels.metadata, "weights": "other"}

    with pytest.raises(ValueError, match="computed differently"):
        FrechetInceptionDistance(OtherWeights(), reference=path)


def test_inception_features_random_weights_small_input() -> None:
    from tfface.metrics.inception import InceptionFeatures

    extractor = InceptionFeatures(weights="random", image_size=75)
    images = np.random.default_rng(0).integers(0, 256, (2, 40, 52, 3), dtype=np.uint8)
    outputs = extractor(images)
    assert outputs["pool3"].shape == (2, 2048) and outputs["logits"].shape == (2, 1000)
    assert extractor.metadata["weights"] == "random"
    assert extractor.metadata["resize"] == "pil_bicubic_antialiased_float"
    metric = FrechetInceptionDistance(extractor, sqrt_method="eigh")  # 2048-d: eigh is quicker
    metric.update(images, real=True)
    metric.update(images)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert metric.details().value == pytest.approx(0.0, abs=1e-9)
