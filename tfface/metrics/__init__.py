"""Evaluation metrics: FID / KID / IS, SSIM / MS-SSIM / PSNR / L1 / MSE, perceptual distance
and diversity, identity (cosine, Rank-1, verification), parsing mIoU, landmark and pose
errors, and the streamed evaluation of exports behind ``tfface evaluate``.

One idea per module; each cites its paper. Per-example metrics return (B,) arrays;
set metrics stream over batches (``update`` / ``result``) and keep only statistics.
See ``tfface.metrics.fid`` for the FID protocol and what its numbers compare with.
"""

from tfface.metrics.buckets import BUCKET_CENTRES, bucket_label, pose_bucket
from tfface.metrics.distributed import ReplicaRunner
from tfface.metrics.diversity import Diversity, DiversityResult, pairwise_distance_mean
from tfface.metrics.evaluation import Evaluation
from tfface.metrics.evaluation_options import METRICS, EvaluationOptions, parse_metrics
from tfface.metrics.face_geometry import OUTER_EYE_CORNERS, landmark_error, pose_error
from tfface.metrics.feature_statistics import FeatureStatistics
from tfface.metrics.fid import MIN_RECOMMENDED_SAMPLES, FrechetInceptionDistance
from tfface.metrics.frechet import (
    FrechetDistance,
    FrechetDistanceError,
    frechet_distance,
    frechet_distance_details,
)
from tfface.metrics.identity import (
    IdentitySimilarity,
    Rank1Result,
    cosine_similarity,
    rank1_identification,
)
from tfface.metrics.inception import InceptionFeatures, clean_resize
from tfface.metrics.inception_score import InceptionScoreResult, inception_score
from tfface.metrics.kid import KernelDistance, kernel_inception_distance, unbiased_mmd2
from tfface.metrics.parsing import ConfusionMatrix, batch_confusion
from tfface.metrics.perceptual import LPIPS_VGG_LAYERS, PerceptualDistance
from tfface.metrics.pixel_errors import l1, mse, psnr
from tfface.metrics.resize import resampling_matrix, resize_bicubic_antialiased
from tfface.metrics.run_evaluation import evaluate
from tfface.metrics.sources import (
    ExportedModel,
    SourceNotSupportedError,
    load_run,
    load_source,
)
from tfface.metrics.structural_similarity import ms_ssim, ssim
from tfface.metrics.verification import VerificationResult, roc_auc, verification_accuracy

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
