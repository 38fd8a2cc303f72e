"""FID speed: InceptionV3 feature extraction at 256 px input, and a whole 10k-image FID.

Measures on this machine (random InceptionV3 weights: the same compute as ImageNet
weights, which are not available offline):

* extraction: images/s (best and median batch, ours and the baseline timed in turn:
  the machine is shared) of ``InceptionFeatures`` on 256 x 256 uint8 batches (clean-fid
  resize to 299 + InceptionV3), with the baseline in the same run: keras InceptionV3
  after ``tf.image.resize`` bilinear without antialiasing (the original FID code's
  kind of resize). The ratio is what the correct resize costs.
* resize alone: our TF PIL-bicubic resize vs clean-fid's own implementation (PIL on
  each channel as a float image, in NumPy), images/s and ratio.
* streaming: images/s of ``FrechetInceptionDistance.update`` (extraction + gathering +
  float64 Welford/Chan accumulation).
* the final Fréchet distance of 2048-d full-rank statistics: seconds with
  ``scipy.linalg.sqrtm`` (reference) and with the eigenvalue form.
* a whole FID of 10k generated images against cached real statistics: measured on
  ``--images`` images and extrapolated linearly (10k images take too long on a
  shared 2-core machine), plus the measured final distance. Written to the JSON as
  ``fid_10k_seconds_extrapolated`` with the measured count.

    python benchmarks/metrics.py [--images 192] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

IMAGE_SIZE = 256
TARGET_IMAGES = 10_000


def rate(function, batches, batch_size: int, warmup: int = 1) -> float:
    """Images per second of ``function`` over ``batches`` after ``warmup`` calls."""
    for batch in batches[:warmup]:
        function(batch)
    start = time.perf_counter()
    for batch in batches[warmup:]:
        function(batch)
    return batch_size * (len(batches) - warmup) / (time.perf_counter() - start)


def interleaved_rates(functions: dict, batches, batch_size: int) -> dict[str, dict[str, float]]:
    """Best and median images/s per function, timing one batch of each in turn.

    The machine is shared: interleaving exposes every path to the same load, and the
    best batch is the least disturbed one.
    """
    times: dict[str, list[float]] = {name: [] for name in functions}
    for function in functions.values():
        function(batches[0])  # warm-up: tracing, oneDNN primitives
    for batch in batches[1:]:
        for name, function in functions.items():
            start = time.perf_counter()
            function(batch)
            times[name].append(time.perf_counter() - start)
    return {
        name: {
            "best": batch_size / min(values),
            "median": batch_size / float(sorted(values)[len(values) // 2]),
        }
        for name, values in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=192, help="images measured per path")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "metrics.json"))
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf
    from PIL import Image

    from tfface.metrics.feature_statistics import FeatureStatistics
    from tfface.metrics.fid import FrechetInceptionDistance
    from tfface.metrics.frechet import frechet_distance_details
    from tfface.metrics.inception import InceptionFeatures
    from tfface.metrics.resize import resize_bicubic_antialiased

    generator = np.random.default_rng(0)
    count = max(args.images // args.batch_size, 2) + 1  # + 1 warm-up batch
    shape = (args.batch_size, IMAGE_SIZE, IMAGE_SIZE, 3)
    batches = [generator.integers(0, 256, shape, dtype=np.uint8) for _ in range(count)]
    measured = args.batch_size * (count - 1)

    # Extraction: ours (clean resize + InceptionV3) vs bilinear-resize baseline.
    features = InceptionFeatures(weights="random")  # compiled inside
    baseline_model = keras.applications.InceptionV3(
        include_top=False, weights=None, pooling="avg", input_shape=(299, 299, 3)
    )

    @tf.function
    def baseline(images: tf.Tensor) -> tf.Tensor:
        resized = tf.image.resize(tf.cast(images, tf.float32), [299, 299], antialias=False)
        return baseline_model(resized / 127.5 - 1.0, training=False)

    extraction_rates = interleaved_rates(
        {
            "ours": lambda batch: features(batch)["pool3"].numpy(),
            "baseline": lambda batch: baseline(batch).numpy(),
        },
        batches,
        args.batch_size,
    )
    extraction = extraction_rates["ours"]["best"]
    baseline_rate = extraction_rates["baseline"]["best"]

    # Resize alone: TF matrices vs clean-fid's PIL float path.
    resize = tf.function(
        lambda images: resize_bicubic_antialiased(tf.cast(images, tf.float32), 299)
    )

    def pil_resize(batch: np.ndarray) -> None:
        for image in batch:
            for channel in range(3):
                plane = Image.fromarray(image[..., channel].astype(np.float32), mode="F")
                np.asarray(plane.resize((299, 299), Image.Resampling.BICUBIC))

    resize_rates = interleaved_rates(
        {"tf": lambda batch: resize(batch).numpy(), "pil": pil_resize}, batches, args.batch_size
    )
    resize_rate, pil_rate = resize_rates["tf"]["best"], resize_rates["pil"]["best"]

    # The final distance on full-rank 2048-d statistics (cached real statistics).
    real = FeatureStatistics(metadata=features.metadata)
    for _ in range(3):
        real.update(generator.normal(size=(1000, 2048)) * 0.3 + 0.2)
    fake_mean = real.mean + 0.01
    timings = {}
    for method in ("sqrtm", "eigh"):
        start = time.perf_counter()
        details = frechet_distance_details(
            fake_mean, real.covariance, real.mean, real.covariance, method=method
        )
        timings[method] = (time.perf_counter() - start, details.method)

    # Streaming FID: update() on the batches against the cached statistics.
    with tempfile.TemporaryDirectory() as directory:
        path = real.save(Path(directory) / "real.npz")
        fid = FrechetInceptionDistance(features, reference=path)
        streaming = rate(fid.update, batches, args.batch_size)

    seconds_10k = TARGET_IMAGES / streaming + timings["sqrtm"][0]
    results = {
        "benchmark": "metrics",
        "cpu_count": os.cpu_count(),
        "input_size": IMAGE_SIZE,
        "batch_size": args.batch_size,
        "weights": "random (same compute as imagenet)",
        "images_measured": measured,
        "extraction_images_per_second": round(extraction, 2),
        "extraction_images_per_second_median": round(extraction_rates["ours"]["median"], 2),
        "baseline_bilinear_no_antialias_images_per_second": round(baseline_rate, 2),
        "baseline_images_per_second_median": round(extraction_rates["baseline"]["median"], 2),
        "extraction_ratio_to_baseline": round(extraction / baseline_rate, 3),
        "resize_tf_images_per_second": round(resize_rate, 1),
        "resize_pil_float_clean_fid_images_per_second": round(pil_rate, 1),
        "resize_ratio_tf_to_pil": round(resize_rate / pil_rate, 2),
        "fid_update_images_per_second": round(streaming, 2),
        "frechet_2048_sqrtm_seconds": round(timings["sqrtm"][0], 2),
        "frechet_2048_sqrtm_method_used": timings["sqrtm"][1],
        "frechet_2048_eigh_seconds": round(timings["eigh"][0], 2),
        "fid_10k_seconds_extrapolated": round(seconds_10k, 1),
        "fid_10k_note": f"extraction measured on {measured} images and extrapolated to "
        f"{TARGET_IMAGES}; the final sqrtm distance measured",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
