"""The Fréchet distance between two Gaussians, the formula behind FID.

Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local
Nash Equilibrium", NeurIPS 2017, Eq. 6 (after Dowson & Landau 1982):

    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))

Everything is float64. The trace of the matrix square root is where published code
goes wrong: ``scipy.linalg.sqrtm`` of the (non-symmetric) product S1 S2 is complex
in round-off, and badly wrong in some SciPy releases (1.11.2 - 1.12, scipy#19415:
huge imaginary parts or residuals). Here:

1. ``sqrtm(S1 S2)`` as the reference implementation (TTUR ``fid.py``, pytorch-fid);
   accepted when finite, its diagonal's imaginary part is below
   ``imaginary_tolerance`` and it squares back to S1 S2 (relative residual below
   ``residual_tolerance``);
2. otherwise ``sqrtm((S1 + eps I)(S2 + eps I))``, the reference's fallback for
   near-singular covariances (fewer samples than dimensions), same acceptance test;
3. otherwise (``strict=False``) the eigenvalue form, exact for symmetric PSD
   covariances: tr((S1 S2)^(1/2)) = sum_i sqrt(lambda_i(S1^(1/2) S2 S1^(1/2))), with
   S1^(1/2) from ``eigh``; the symmetric product has real eigenvalues, so there is no
   imaginary part to lose. ``strict=True`` raises ``FrechetDistanceError`` instead, as
   the reference does ("Imaginary component").

Fewer samples than dimensions (N <= D, singular covariance: where sqrtm is least
reliable and the eps offset biases the result) have an exact and cheap form when the
features of that set are at hand: with A the centred (N, D) features, S1 = A^T A /
(N - 1), and the non-zero eigenvalues of S1 S2 are those of the symmetric N x N
matrix A S2 A^T / (N - 1), so tr((S1 S2)^(1/2)) = sum_i sqrt(lambda_i(A S2 A^T) /
(N - 1)). ``FeatureStatistics`` keeps the features of small sets for this (method
``low_rank``).

``method="eigh"`` skips 1 and 2: the same value (to ~1e-10 relative) several times
faster, since ``sqrtm`` of a 2048 x 2048 matrix takes tens of seconds on 2 cores
(SciPy 1.17) and ``eigh`` a few. ``frechet_distance_details`` says which was used.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.linalg


class FrechetDistanceError(ValueError):
    """The matrix square root failed (complex, non-finite or wrong) or the inputs are bad."""


@dataclasses.dataclass(frozen=True)
class FrechetDistance:
    """A Fréchet distance and how its square-root trace was computed.

    Attributes:
        value: the squared Fréchet distance (what papers call FID).
        mean_term: |mu1 - mu2|^2.
        trace_sqrt: tr((S1 S2)^(1/2)).
        method: ``low_rank``, ``sqrtm``, ``sqrtm+eps`` or ``eigh`` (module docstring).
        imaginary: largest |imaginary part| of the accepted sqrtm diagonal (0 for eigh).
    """

    value: float
    mean_term: float
    trace_sqrt: float
    method: str
    imaginary: float


def _check_statistics(mu: np.ndarray, sigma: np.ndarray, name: str) -> tuple[np.ndarray, ...]:
    mu = np.atleast_1d(np.asarray(mu, np.float64))
    sigma = np.atleast_2d(np.asarray(sigma, np.float64))
    if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
        raise FrechetDistanceError(
            f"{name}: mean must be (D,) and covariance (D, D), got {mu.shape} and {sigma.shape}"
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
        raise FrechetDistanceError(f"{name}: statistics contain NaN or infinite values")
    return mu, sigma


def _accepted_sqrtm(
    product: np.ndarray, imaginary_tolerance: float, residual_tolerance: float
) -> tuple[np.ndarray, float] | None:
    """sqrtm(product) and its diagonal's largest |imag|, or None if it is not trustworthy."""
    with np.errstate(all="ignore"):
        root = scipy.linalg.sqrtm(product)
    if isinstance(root, tuple):  # SciPy < 1.18 with disp=False semantics, defensive
        root = root[0]
    root = np.asarray(root)
    if not np.all(np.isfinite(root)):
        return None
    imaginary = float(np.max(np.abs(np.diagonal(root).imag))) if np.iscomplexobj(root) else 0.0
    if imaginary > imaginary_tolerance:
        return None
    root = root.real
    scale = max(np.linalg.norm(product), np.finfo(np.float64).tiny)
    if np.linalg.norm(root @ root - product) / scale > residual_tolerance:
        return None
    return root, imaginary


def _eigen_trace_sqrt(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr((S1 S2)^(1/2)) = sum sqrt(eig(S1^(1/2) S2 S1^(1/2))) for symmetric PSD S1, S2."""
    values, vectors = np.linalg.eigh((sigma1 + sigma1.T) / 2.0)
    scale = max(float(np.max(np.abs(values))), np.finfo(np.float64).tiny)
    if values.min() < -1e-6 * scale:
        raise FrechetDistanceError(
            f"covariance 1 is not positive semi-definite (eigenvalue {values.min():.3g})"
        )
    root1 = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    middle = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    scale = max(float(np.max(np.abs(eigenvalues))), np.finfo(np.float64).tiny)
    if eigenvalues.min() < -1e-6 * scale:
        raise FrechetDistanceError(
            f"covariance 2 is not positive semi-definite (eigenvalue {eigenvalues.min():.3g})"
        )
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def low_rank_trace_sqrt(features: np.ndarray, sigma: np.ndarray) -> float:
    """tr((S_f sigma)^(1/2)), exact, for S_f the covariance of (N, D) ``features``, N <= D + 1."""
    features = np.asarray(features, np.float64)
    count = features.shape[0]
    if count < 2:
        raise FrechetDistanceError(f"a covariance needs at least 2 samples, got {count}")
    centred = features - features.mean(axis=0)
    middle = centred @ np.asarray(sigma, np.float64) @ centred.T / (count - 1)  # (N, N)
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    scale = max(float(np.max(np.abs(eigenvalues))), np.finfo(np.float64).tiny)
    if eigenvalues.min() < -1e-6 * scale:
        raise FrechetDistanceError(
            f"covariance is not positive semi-definite (eigenvalue {eigenvalues.min():.3g})"
        )
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def frechet_distance_details(
    mu1: np.ndarray,
    sigma1: np.ndarray,
    mu2: np.ndarray,
    sigma2: np.ndarray,
    eps: float = 1e-6,
    imaginary_tolerance: float = 1e-3,
    residual_tolerance: float = 1e-4,
    strict: bool = False,
    method: str = "sqrtm",
    features1: np.ndarray | None = None,
    features2: np.ndarray | None = None,
) -> FrechetDistance:
    """The squared Fréchet distance and how it was computed (module docstring).

    Args:
        mu1, mu2: (D,) means.
        sigma1, sigma2: (D, D) covariances (symmetric positive semi-definite).
        eps: the diagonal offset of the near-singular fallback (reference value 1e-6).
        imaginary_tolerance: largest accepted |imag| on the diagonal of sqrtm (reference 1e-3).
        residual_tolerance: largest accepted |sqrtm(A)^2 - A| / |A| (Frobenius).
        strict: raise ``FrechetDistanceError`` instead of using the eigenvalue form.
        method: ``sqrtm`` (the reference, with the fallbacks above) or ``eigh`` (directly
            the eigenvalue form).
        features1, features2: the (N, D) features behind mu / sigma, if at hand: a set with
            N <= D uses the exact low-rank form (module docstring).
    """
    if method not in ("sqrtm", "eigh"):
        raise ValueError(f"unknown method {method!r}; expected 'sqrtm' or 'eigh'")
    mu1, sigma1 = _check_statistics(mu1, sigma1, "first")
    mu2, sigma2 = _check_statistics(mu2, sigma2, "second")
    if mu1.shape != mu2.shape:
        raise FrechetDistanceError(f"dimensions differ: {mu1.shape[0]} and {mu2.shape[0]}")
    difference = mu1 - mu2
    mean_term = float(difference @ difference)
    traces = float(np.trace(sigma1) + np.trace(sigma2))

    for features, other in ((features1, sigma2), (features2, sigma1)):
        if features is not None and 2 <= len(features) <= mu1.shape[0]:
            trace_sqrt = low_rank_trace_sqrt(features, other)
            value = mean_term + traces - 2.0 * trace_sqrt
            return FrechetDistance(float(value), mean_term, trace_sqrt, "low_rank", 0.0)
    accepted, used = None, "eigh"
    if method == "sqrtm":
        accepted, used = (
            _accepted_sqrtm(sigma1 @ sigma2, imaginary_tolerance, residual_tolerance),
            "sqrtm",
        )
        if accepted is None:
            offset = np.eye(sigma1.shape[0]) * eps
            accepted, used = (
                _accepted_sqrtm(
                    (sigma1 + offset) @ (sigma2 + offset), imaginary_tolerance, residual_tolerance
                ),
                "sqrtm+eps",
            )
        if accepted is None and strict:
            raise FrechetDistanceError(
                "scipy.linalg.sqrtm(S1 S2) is complex, non-finite or inaccurate even with "
                f"eps={eps} added to the diagonals; use more samples, or strict=False for the "
                "eigenvalue form"
            )
    if accepted is not None:
        root, imaginary = accepted
        trace_sqrt = float(np.trace(root))
    else:
        trace_sqrt, imaginary, used = _eigen_trace_sqrt(sigma1, sigma2), 0.0, "eigh"
    value = mean_term + traces - 2.0 * trace_sqrt
    return FrechetDistance(float(value), mean_term, trace_sqrt, used, imaginary)


def frechet_distance(
    mu1: np.ndarray,
    sigma1: np.ndarray,
    mu2: np.ndarray,
    sigma2: np.ndarray,
    eps: float = 1e-6,
    imaginary_tolerance: float = 1e-3,
    strict: bool = False,
    method: str = "sqrtm",
) -> float:
    """Squared Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2) (Heusel 2017, Eq. 6).

    Args:
        mu1, mu2: (D,) means.
        sigma1, sigma2: (D, D) covariances.
        eps: diagonal offset of the near-singular fallback.
        imaginary_tolerance: largest accepted imaginary part of sqrtm's diagonal.
        strict: raise instead of falling back to the eigenvalue form.
        method: ``sqrtm`` (reference) or ``eigh`` (faster, same value).

    Returns:
        d^2 >= 0 up to round-off (FID when the statistics are InceptionV3 pool3 features).
    """
    return frechet_distance_details(
        mu1, sigma1, mu2, sigma2, eps, imaginary_tolerance, strict=strict, method=method
    ).value
