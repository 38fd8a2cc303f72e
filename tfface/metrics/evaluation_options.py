"""The options of one evaluation (``tfface evaluate``), and the metric names it knows."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

METRIC_DESCRIPTIONS = {
    "fid": "Fréchet Inception Distance, generated vs real (Heusel 2017; clean-fid resize)",
    "kid": "Kernel Inception Distance, unbiased MMD^2 x 1000 (Binkowski 2018)",
    "is": "Inception Score of the generated images, 10 splits (Salimans 2016)",
    "ssim": "SSIM with the target, 11x11 Gaussian window (Wang 2004)",
    "ms_ssim": "multi-scale SSIM with the target (Wang 2003), images >= 176 px",
    "psnr": "PSNR with the target, dB",
    "l1": "mean absolute error with the target, [0, 1] units",
    "mse": "mean squared error with the target, [0, 1] units",
    "perceptual": "VGG16 perceptual distance to the target (LPIPS form, Zhang 2018)",
    "diversity": "mean pairwise perceptual distance of M samples per input (BicycleGAN protocol)",
    "identity": "embedding cosine similarity, Rank-1 and verification (needs --identity-model)",
    "miou": "parser mIoU / pixel accuracy vs the dataset label maps",
    "landmarks": "landmark NME (inter-ocular) vs ground truth (export outputs 'landmarks')",
    "pose": "pose mean absolute error per angle vs ground truth (export outputs 'pose')",
}
METRICS = tuple(METRIC_DESCRIPTIONS)
IMAGE_METRICS = ("ssim", "ms_ssim", "psnr", "l1", "mse")
INCEPTION_METRICS = ("fid", "kid", "is")
KID_SCALE = 1000.0
"""KID is reported x 1000, as in the papers' tables."""


def parse_metrics(text: str) -> tuple[str, ...]:
    """'fid,ssim' -> ('fid', 'ssim'); unknown names are a ValueError listing the known ones."""
    names = tuple(dict.fromkeys(name.strip().lower() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in METRICS]
    if unknown or not names:
        raise ValueError(f"unknown metrics {unknown or text!r}; choose from: {', '.join(METRICS)}")
    return names


@dataclasses.dataclass(frozen=True)
class EvaluationOptions:
    """Everything ``tfface evaluate`` is asked to do.

    Args:
        metrics: metric names (``METRICS``).
        data: dataset directory or TFRecord glob pattern.
        split: split of a dataset directory.
        by: breakdown by pose bucket: ``yaw``, ``pitch``, ``roll`` or None.
        batch_size: global batch size.
        max_examples: evaluate at most this many examples (None: all).
        image_size: resize dataset images to this side (None: the stored size).
        target: dataset image the output is compared with (None: what the export's
            signature declares, see ``target_choice``; for exports declaring nothing
            ``target_image`` if the dataset has it, else ``image``).
        signature: export signature name.
        reference_stats: cached real-set InceptionV3 statistics (``.npz``).
        save_stats: write the real-set statistics computed here to this ``.npz``.
        feature_weights: ``imagenet`` (default), a weights file, or ``random`` (tests only).
        weights_dir: folder holding the keras.applications weight files.
        perceptual_weights: ``.npz`` of LPIPS linear weights (else unit weights).
        identity_model: export of a face-embedding model (``image`` -> ``embedding``).
        parser_model: export of a face parser (``image`` -> ``label_map``) for mIoU.
        diversity_inputs / diversity_samples: the diversity protocol's N and M.
        kid_subsets / kid_subset_size: KID subset count and size.
        grid_examples: examples in the sample grid of report.html.
        fid_sqrt: ``sqrtm`` (reference) or ``eigh`` for the FID matrix square root.
        logs: TensorBoard log folder for loss curves (default: the run's ``logs/``: a run
            directory's, or the run named in an export's model card).
        seed: seed of latent codes and KID subsets.
        pairs: an LFW ``pairs.txt`` for the verification of a face-embedding export
            (``evaluation_recognition``); None: pairs drawn from the split's identities.
    """

    metrics: tuple[str, ...]
    data: str
    split: str = "test"
    by: str | None = None
    batch_size: int = 16
    max_examples: int | None = None
    image_size: int | None = None
    target: str | None = None
    signature: str = "serving_default"
    reference_stats: Path | None = None
    save_stats: Path | None = None
    feature_weights: str = "imagenet"
    weights_dir: Path | None = None
    perceptual_weights: Path | None = None
    identity_model: Path | None = None
    parser_model: Path | None = None
    diversity_inputs: int = 10
    diversity_samples: int = 10
    kid_subsets: int = 100
    kid_subset_size: int = 1000
    grid_examples: int = 8
    fid_sqrt: str = "sqrtm"
    logs: Path | None = None
    seed: int = 0
    pairs: Path | None = None

    def __post_init__(self) -> None:
        unknown = [name for name in self.metrics if name not in METRICS]
        if unknown:
            raise ValueError(f"unknown metrics {unknown}; choose from: {', '.join(METRICS)}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.max_examples is not None and self.max_examples < 1:
            raise ValueError(f"max_examples must be >= 1, got {self.max_examples}")
        if self.reference_stats is not None and self.save_stats is not None:
            raise ValueError("--reference-stats and --save-stats exclude each other")
        if self.fid_sqrt not in ("sqrtm", "eigh"):
            raise ValueError(f"fid_sqrt must be 'sqrtm' or 'eigh', got {self.fid_sqrt!r}")
        if self.diversity_samples < 2:
            raise ValueError("diversity needs at least 2 samples per input")

    def wants(self, *names: str) -> bool:
        """Whether any of ``names`` is requested."""
        return any(name in self.metrics for name in names)

    def weights_for(self, key: str) -> str | os.PathLike:
        """The ``weights=`` argument for a tfface.weights builder (``inception_v3``, ``vgg16_notop``)."""
        if self.feature_weights != "imagenet" or self.weights_dir is None:
            return self.feature_weights
        from tfface.weights import weight_file

        return Path(self.weights_dir) / weight_file(key).file_name
