"""Similarity alignment of faces to a canonical 5-point template (NumPy / SciPy).

`umeyama` is the closed-form least-squares similarity (rotation, uniform scale,
translation) between two point sets: S. Umeyama, "Least-squares estimation of
transformation parameters between two point patterns", IEEE TPAMI 13(4), 1991,
Eqs. 34-43 (with the reflection correction of Eq. 39). `align_face` estimates
the transform from detected 5 landmarks (eye centres, nose tip, mouth corners)
to the template and warps the image.

The template is the standard ArcFace / InsightFace 112 x 112 one (Deng et al.,
"ArcFace", CVPR 2019; `insightface.utils.face_align.arcface_dst`), in image
order: the eye on the image's left first, then the image's right eye, nose,
mouth corner on the image's left, on the image's right. For an output of side
S it is scaled by S / 112 (pixel centres at integer coordinates, so a point p
becomes (p + 0.5) * S / 112 - 0.5); `zoom` < 1 shrinks the face about the
template centre to keep more context (e.g. hair) in the crop.

Coordinates are (x, y) pixels with pixel centres at integers. Matrices are
3 x 3 homogeneous, mapping source (x, y, 1) to destination.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

ARCFACE_TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)
"""The ArcFace 5-point template for 112 x 112 crops: eyes, nose tip, mouth corners (x, y)."""

ARCFACE_TEMPLATE_SIZE = 112
BORDERS = ("constant", "edge", "reflect")
_SCIPY_MODES = {"constant": "constant", "edge": "nearest", "reflect": "mirror"}


def umeyama(source: np.ndarray, destination: np.ndarray, estimate_scale: bool = True) -> np.ndarray:
    """Least-squares similarity transform mapping `source` points onto `destination`.

    Minimises sum_i ||destination_i - (s R source_i + t)||^2 over rotations R
    (det R = +1, never a reflection), scale s > 0 (1 if not `estimate_scale`)
    and translation t (Umeyama 1991).

    Args:
        source: (N, D) points, N >= 2 (D = 2 for images).
        destination: (N, D) corresponding points.
        estimate_scale: estimate s; otherwise a rigid transform.

    Returns:
        float64 (D + 1, D + 1) homogeneous matrix [[s R, t], [0, 1]].

    Raises:
        ValueError: mismatched shapes, fewer than 2 points, non-finite values or
            degenerate (coincident) source points.
    """
    source = np.asarray(source, dtype=np.float64)
    destination = np.asarray(destination, dtype=np.float64)
    if source.ndim != 2 or source.shape != destination.shape:
        raise ValueError(
            f"need two (N, D) arrays of equal shape, got {source.shape} and {destination.shape}"
        )
    count, dimensions = source.shape
    if count < 2:
        raise ValueError(f"need at least 2 point pairs, got {count}")
    if not (np.isfinite(source).all() and np.isfinite(destination).all()):
        raise ValueError("points must be finite")
    source_mean = source.mean(axis=0)
    destination_mean = destination.mean(axis=0)
    source_centered = source - source_mean
    destination_centered = destination - destination_mean
    source_variance = (source_centered**2).sum() / count  # sigma_x^2, Eq. 36
    if source_variance <= 1e-12:
        raise ValueError("source points are degenerate (all coincide)")
    covariance = destination_centered.T @ source_centered / count  # Sigma_xy, Eq. 38
    u, singular_values, vt = np.linalg.svd(covariance)
    signs = np.ones(dimensions)
    if np.linalg.det(covariance) < 0:  # Eq. 39: avoid a reflection
        signs[-1] = -1.0
    rank = np.linalg.matrix_rank(covariance)
    if rank == dimensions - 1 and np.linalg.det(u) * np.linalg.det(vt) > 0:  # Eq. 43
        signs[-1] = 1.0
    elif rank == dimensions - 1:
        signs[-1] = -1.0
    rotation = u @ np.diag(signs) @ vt  # Eq. 40
    scale = float(singular_values @ signs) / source_variance if estimate_scale else 1.0  # Eq. 42
    translation = destination_mean - scale * rotation @ source_mean  # Eq. 41
    matrix = np.eye(dimensions + 1)
    matrix[:dimensions, :dimensions] = scale * rotation
    matrix[:dimensions, dimensions] = translation
    return matrix


def similarity_scale(matrix: np.ndarray) -> float:
    """The uniform scale factor of a 2-D similarity matrix."""
    return float(np.sqrt(abs(np.linalg.det(np.asarray(matrix, dtype=np.float64)[:2, :2]))))


def face_template(size: int, zoom: float = 1.0) -> np.ndarray:
    """The ArcFace 5-point template for a (size, size) crop, float64 (5, 2) (x, y).

    Args:
        size: output side in pixels.
        zoom: face scale about the template centre; 1 is the ArcFace crop, < 1
            leaves more margin around the face.
    """
    if size < 1 or zoom <= 0:
        raise ValueError(f"size must be >= 1 and zoom > 0, got {size} and {zoom}")
    points = (ARCFACE_TEMPLATE_112 + 0.5) * size / ARCFACE_TEMPLATE_SIZE - 0.5
    centre = (size - 1) / 2.0
    return centre + (points - centre) * zoom


def warp_similarity(
    image: np.ndarray,
    matrix: np.ndarray,
    size: int | tuple[int, int],
    border: str = "constant",
    order: int = 1,
) -> np.ndarray:
    """Warps `image` by the (source -> output) matrix into an output of `size`.

    When the transform shrinks (scale < 1) the image is first reduced with PIL
    LANCZOS to about the output resolution, so the result is antialiased; the
    residual warp then interpolates with spline `order` (1 bilinear, 3 cubic).

    Args:
        image: uint8 (H, W) or (H, W, C).
        matrix: 3 x 3 similarity (or affine) from source to output pixel coordinates.
        size: output side S or (height, width).
        border: outside the image: 'constant' (black), 'edge' (repeat the edge pixel) or
            'reflect' (mirror about the edge pixel: d c b | a b c d).
        order: interpolation order of the residual warp.

    Returns:
        uint8 array (height, width[, C]).
    """
    if border not in BORDERS:
        raise ValueError(f"border must be one of {BORDERS}, got {border!r}")
    image = np.asarray(image)
    height, width = (size, size) if isinstance(size, int | np.integer) else size
    matrix = np.asarray(matrix, dtype=np.float64)
    scale = similarity_scale(matrix)
    if scale < 0.9:
        reduced_width = max(1, round(image.shape[1] * scale))
        reduced_height = max(1, round(image.shape[0] * scale))
        factor_x = reduced_width / image.shape[1]
        factor_y = reduced_height / image.shape[0]
        image = np.asarray(
            Image.fromarray(image).resize((reduced_width, reduced_height), Image.Resampling.LANCZOS)
        )
        # original pixel p -> reduced pixel (p + 0.5) * factor - 0.5
        to_reduced = np.array(
            [[factor_x, 0, 0.5 * factor_x - 0.5], [0, factor_y, 0.5 * factor_y - 0.5], [0, 0, 1]]
        )
        matrix = matrix @ np.linalg.inv(to_reduced)
    inverse = np.linalg.inv(matrix)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    source_x = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
    source_y = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
    channels = image[..., None] if image.ndim == 2 else image
    output = np.empty((height, width, channels.shape[2]), np.uint8)
    for channel in range(channels.shape[2]):
        values = ndimage.map_coordinates(
            channels[..., channel].astype(np.float32),
            [source_y, source_x],
            order=order,
            mode=_SCIPY_MODES[border],
            cval=0.0,
        )
        output[..., channel] = np.clip(np.round(values), 0, 255).astype(np.uint8)
    return output[..., 0] if image.ndim == 2 else output


def align_face(
    image: np.ndarray,
    landmarks: np.ndarray,
    size: int,
    zoom: float = 1.0,
    border: str = "constant",
) -> tuple[np.ndarray, np.ndarray]:
    """Aligns a face by its 5 landmarks to the scaled ArcFace template.

    Args:
        image: uint8 (H, W, C) image.
        landmarks: (5, 2) (x, y) in template order (see module docstring).
        size: output side.
        zoom: see `face_template`.
        border: see `warp_similarity`.

    Returns:
        (aligned uint8 (size, size, C) image, 3 x 3 matrix from image to aligned pixels).
    """
    landmarks = np.asarray(landmarks, dtype=np.float64)
    if landmarks.shape != (5, 2):
        raise ValueError(f"landmarks must have shape (5, 2), got {landmarks.shape}")
    matrix = umeyama(landmarks, face_template(size, zoom))
    return warp_similarity(image, matrix, size, border), matrix


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Applies a 3 x 3 homogeneous 2-D transform to (N, 2) points."""
    points = np.asarray(points, dtype=np.float64)
    return points @ matrix[:2, :2].T + matrix[:2, 2]
