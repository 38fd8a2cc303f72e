"""Evaluation metrics: FID / KID / IS, SSIM / MS-SSIM / PSNR / L1 / MSE, perceptual distance
and diversity, identity (cosine, Rank-1, verification), parsing mIoU, landmark and pose
errors, and the streamed evaluation of exports behind ``tfface evaluate``.

One idea per module; each cites its paper. Per-example metrics return (B,) arrays;
set metrics stream over batches (``update`` / ``result``) and keep only statistics.
See ``tfface.metrics.fid`` for the FID protocol and what its numbers compare with.

The names below are imported on first use (PEP 562), so that importing a light submodule
(``tfface.metrics.evaluation_options`` for ``tfface evaluate --help``) does not import
TensorFlow. ``inception_score`` and ``evaluation_options`` are light and imported eagerly
(``inception_score`` is also a submodule's name: the function must win, as it always has).
"""

from __future__ import annotations

from tfface.lazy_exports import lazy_exports
from tfface.metrics.evaluation_options import METRICS, EvaluationOptions, parse_metrics
from tfface.metrics.inception_score import InceptionScoreResult, inception_score

# Exported name -> the submodule that defines it (imported by `__getattr__` on first use).
_LAZY_EXPORTS: dict[str, str] = {
    "BUCKET_CENTRES": "tfface.metrics.buckets",
    "bucket_label": "tfface.metrics.buckets",
    "pose_bucket": "tfface.metrics.buckets",
    "ReplicaRunner": "tfface.metrics.distributed",
    "Diversity": "tfface.metrics.diversity",
    "DiversityResult": "tfface.metrics.diversity",
    "pairwise_distance_mean": "tfface.metrics.diversity",
    "Evaluation": "tfface.metrics.evaluation",
    "OUTER_EYE_CORNERS": "tfface.metrics.face_geometry",
    "landmark_error": "tfface.metrics.face_geometry",
    "pose_error": "tfface.metrics.face_geometry",
    "FeatureStatistics": "tfface.metrics.feature_statistics",
    "FrechetInceptionDistance": "tfface.metrics.fid",
    "MIN_RECOMMENDED_SAMPLES": "tfface.metrics.fid",
    "FrechetDistance": "tfface.metrics.frechet",
    "FrechetDistanceError": "tfface.metrics.frechet",
    "frechet_distance": "tfface.metrics.frechet",
    "frechet_distance_details": "tfface.metrics.frechet",
    "IdentitySimilarity": "tfface.metrics.identity",
    "Rank1Result": "tfface.metrics.identity",
    "cosine_similarity": "tfface.metrics.identity",
    "rank1_identification": "tfface.metrics.identity",
    "InceptionFeatures": "tfface.metrics.inception",
    "clean_resize": "tfface.metrics.inception",
    "KernelDistance": "tfface.metrics.kid",
    "kernel_inception_distance": "tfface.metrics.kid",
    "unbiased_mmd2": "tfface.metrics.kid",
    "ConfusionMatrix": "tfface.metrics.parsing",
    "batch_confusion": "tfface.metrics.parsing",
    "LPIPS_VGG_LAYERS": "tfface.metrics.perceptual",
    "PerceptualDistance": "tfface.metrics.perceptual",
    "l1": "tfface.metrics.pixel_errors",
    "mse": "tfface.metrics.pixel_errors",
    "psnr": "tfface.metrics.pixel_errors",
    "resampling_matrix": "tfface.metrics.resize",
    "resize_bicubic_antialiased": "tfface.metrics.resize",
    "evaluate": "tfface.metrics.run_evaluation",
    "ExportedModel": "tfface.metrics.sources",
    "SourceNotSupportedError": "tfface.metrics.sources",
    "load_run": "tfface.metrics.sources",
    "load_source": "tfface.metrics.sources",
    "ms_ssim": "tfface.metrics.structural_similarity",
    "ssim": "tfface.metrics.structural_similarity",
    "VerificationResult": "tfface.metrics.verification",
    "roc_auc": "tfface.metrics.verification",
    "verification_accuracy": "tfface.metrics.verification",
}


__getattr__, __dir__ = lazy_exports("tfface.metrics", globals(), _LAZY_EXPORTS)


__all__ = [
    "BUCKET_CENTRES",
    "LPIPS_VGG_LAYERS",
    "METRICS",
    "MIN_RECOMMENDED_SAMPLES",
    "OUTER_EYE_CORNERS",
    "ConfusionMatrix",
    "Diversity",
    "DiversityResult",
    "Evaluation",
    "EvaluationOptions",
    "ExportedModel",
    "FeatureStatistics",
    "FrechetDistance",
    "FrechetDistanceError",
    "FrechetInceptionDistance",
    "IdentitySimilarity",
    "InceptionFeatures",
    "InceptionScoreResult",
    "KernelDistance",
    "PerceptualDistance",
    "Rank1Result",
    "ReplicaRunner",
    "SourceNotSupportedError",
    "VerificationResult",
    "batch_confusion",
    "bucket_label",
    "clean_resize",
    "cosine_similarity",
    "evaluate",
    "frechet_distance",
    "frechet_distance_details",
    "inception_score",
    "kernel_inception_distance",
    "l1",
    "landmark_error",
    "load_run",
    "load_source",
    "ms_ssim",
    "mse",
    "pairwise_distance_mean",
    "parse_metrics",
    "pose_bucket",
    "pose_error",
    "psnr",
    "rank1_identification",
    "resampling_matrix",
    "resize_bicubic_antialiased",
    "roc_auc",
    "ssim",
    "unbiased_mmd2",
    "verification_accuracy",
]
