"""Poisson image editing (seamless cloning), solved with SciPy's sparse direct solver.

Yin 2022, Eq. 4.6 (section 4.3.2.1), after Perez et al. 2003: inside the region Omega,
find f with Laplacian(f) = div v and f = f* on the boundary of Omega, where v is the
gradient of the source image g (normal cloning) and f* the target image. Discretely, on
the 4-neighbour pixel grid, for every pixel p in Omega with in-image neighbours N_p:

    |N_p| f_p - sum_{q in N_p, q in Omega} f_q
        = sum_{q in N_p, q not in Omega} f*_q + sum_{q in N_p} (g_p - g_q)

and f = f* outside Omega. Used to blend the visible texture into the 3DMM texture for the
pseudo ground truth UV_bl (section 4.3.2.1) and to blend the visible face into the
render for I_p (section 5.3.4). `tfface.face3d.poisson_tf` solves the same system on
batches in TensorFlow.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

_OFFSETS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def poisson_blend(source: np.ndarray, target: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Seamlessly clones `source` into `target` over `region` (Eq. 4.6).

    Args:
        source: float (H, W) or (H, W, C), the image whose gradients are kept (g).
        target: float, same shape, the image that supplies the boundary values (f*).
        region: bool (H, W), Omega.

    Returns:
        float64 array of the input shape: f inside Omega, the target elsewhere.
    """
    source = np.asarray(source, np.float64)
    target = np.asarray(target, np.float64)
    region = np.asarray(region, bool)
    if source.shape != target.shape or source.shape[:2] != region.shape:
        raise ValueError(
            f"source {source.shape}, target {target.shape} and region {region.shape} must agree"
        )
    squeeze = source.ndim == 2
    if squeeze:
        source, target = source[..., None], target[..., None]
    height, width = region.shape
    result = target.copy()
    count = int(region.sum())
    if count == 0:
        return result[..., 0] if squeeze else result
    index = np.full((height, width), -1, np.int64)
    rows, columns = np.nonzero(region)
    index[rows, columns] = np.arange(count)
    diagonal = np.zeros(count)
    matrix_rows, matrix_columns = [], []
    right_side = np.zeros((count, source.shape[2]))
    for d_row, d_column in _OFFSETS:
        neighbour_rows, neighbour_columns = rows + d_row, columns + d_column
        inside = (
            (neighbour_rows >= 0)
            & (neighbour_rows < height)
            & (neighbour_columns >= 0)
            & (neighbour_columns < width)
        )
        diagonal += inside
        pixel = np.nonzero(inside)[0]
        q_rows, q_columns = neighbour_rows[inside], neighbour_columns[inside]
        right_side[pixel] += source[rows[pixel], columns[pixel]] - source[q_rows, q_columns]
        neighbour_index = index[q_rows, q_columns]
        in_region = neighbour_index >= 0
        matrix_rows.append(pixel[in_region])
        matrix_columns.append(neighbour_index[in_region])
        right_side[pixel[~in_region]] += target[q_rows[~in_region], q_columns[~in_region]]
    matrix_rows = np.concatenate(matrix_rows)
    matrix_columns = np.concatenate(matrix_columns)
    matrix = scipy.sparse.csr_matrix(
        (-np.ones(len(matrix_rows)), (matrix_rows, matrix_columns)), shape=(count, count)
    ) + scipy.sparse.diags(diagonal)
    solution = scipy.sparse.linalg.spsolve(matrix.tocsc(), right_side)
    result[rows, columns] = solution.reshape(count, -1)
    return result[..., 0] if squeeze else result
