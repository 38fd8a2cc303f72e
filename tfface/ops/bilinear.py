"""The four pixels around fractional positions, with bilinear weights and their derivatives.

Shared by splatting (forward warping) and sampling (backward warping). The bilinear
kernel of Sevastopolskiy 2019, eq. 3.3, is K = max(0, 1 - |dx|) max(0, 1 - |dy|); for
a position (x, y) only the corners (floor(x) + b, floor(y) + a), a, b in {0, 1},
can have K > 0. Corners are ordered (a, b) = (0, 0), (0, 1), (1, 0), (1, 1): top-left,
top-right, bottom-left, bottom-right.

The derivative of K with respect to the position is -sign(x - corner) [|x - corner| < 1]
times the other factor (appendix A). At an integer position, where K has a kink, the
corners are floor(x) and floor(x) + 1 and the one-sided derivative from the right is
used, the same convention as automatic differentiation of `x - floor(x)`.

Pixel tables are padded by one pixel on every side: (B, H + 2, W + 2, C) flattened to
(B * (H + 2) * (W + 2), C). A position whose top-left corner lies in [-1, W - 1] x
[-1, H - 1] then has all four corners inside the padded table, at the top-left corner's
flat index plus (0, 1, W + 2, W + 3): no per-corner bounds checks or clamping. Corners
that fall outside the image land in the padding, which holds zeros ("zeros" padding:
the corner is dropped) or copies of the edge pixels ("border"), and splats into the
padding are cropped away. Positions farther out get weight 0.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

import tensorflow as tf

Padding = Literal["zeros", "border"]
"""Outside pixels of the backward sampler: zeros, or the nearest border pixel."""
PADDINGS: tuple[str, ...] = get_args(Padding)

# Corner (a, b) sits at (floor(x) + b, floor(y) + a): offsets of the four corners, in order.
_COLUMN_OFFSETS = (0.0, 1.0, 0.0, 1.0)
_ROW_OFFSETS = (0.0, 0.0, 1.0, 1.0)


class Corners(NamedTuple):
    """Indices and weights of the four corners of N positions in a padded pixel table.

    Attributes:
        indices: (N, 4) int32 flat indices into the padded (B * (H + 2) * (W + 2)) table.
        weights: (N, 4) bilinear weights K in [0, 1] (0 for positions outside the padded
            image).
        weights_dx: (N, 4) dK/dx: -1 or +1 times the row weight, 0 where K is constant.
        weights_dy: (N, 4) dK/dy.
        rows: (N, 4) int32 row of each corner in the (B * (H + 2), W + 2, C) view of the
            padded table; with `columns`, an index for `tf.gather_nd`.
        columns: (N, 4) int32 column of each corner in that view.
    """

    indices: tf.Tensor
    weights: tf.Tensor
    weights_dx: tf.Tensor
    weights_dy: tf.Tensor
    rows: tf.Tensor
    columns: tf.Tensor


def _axis_cell(
    position: tf.Tensor, size: tf.Tensor, offsets: tuple[float, ...], padding: str
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]:
    """Along one axis: the padded cell coordinate, 1D kernel weights and slopes of 4 corners.

    Args:
        position: (B, P) float pixel coordinates along the axis.
        size: int32 scalar, number of pixels along the axis.
        offsets: the four corners' offsets from floor(position), 0 or 1.
        padding: "zeros" or "border" (positions are clamped to [0, size - 1]).

    Returns:
        cell: (B, P, 1) int32 padded coordinate of floor(position) + 1, in [0, size].
        inside: (B, P, 1) bool, False when the cell is outside the padded image.
        weight: (B, P, 4) 1 - |position - corner| in [0, 1].
        slope: (B, P, 4) d weight / d position: -1 for the lower corner, +1 for the upper
            one (the right-sided derivative at integers), 0 where a "border" position is
            clamped.
        corner_offset: (4,) int32 offsets (0 or 1) of the corners from the cell.
    """
    dtype = position.dtype
    last = tf.cast(size - 1, dtype)
    # NaN positions count as far outside the image (never an out-of-range index)
    far_outside = tf.constant(-2.0, dtype)
    position = tf.where(tf.math.is_nan(position), far_outside, position)[..., tf.newaxis]
    offsets = tf.constant(offsets, dtype)  # (4,)
    sign = 2.0 * offsets - 1.0  # (4,) -1 for the lower corner, +1 for the upper one
    if padding == "border":
        clamped = tf.clip_by_value(position, 0.0, last)
        slope = tf.where(tf.equal(clamped, position), sign, 0.0)  # (B, P, 4)
        position = clamped
    else:
        # Far outside the image the weight is 0 anyway; clipping keeps the int cast in range.
        position = tf.clip_by_value(position, -2.0, last + 2.0)
        slope = sign
    floor = tf.floor(position)  # (B, P, 1)
    weight = (1.0 - offsets) + sign * (position - floor)  # (B, P, 4): 1 - frac or frac
    inside = (floor >= -1.0) & (floor <= last)
    cell = tf.cast(tf.clip_by_value(floor + 1.0, 0.0, last + 1.0), tf.int32)
    return cell, inside, weight, slope, tf.cast(offsets, tf.int32)


def bilinear_corners(
    x: tf.Tensor, y: tf.Tensor, height: tf.Tensor, width: tf.Tensor, padding: str = "zeros"
) -> Corners:
    """Corners of positions (x, y) in each image of a batch of H x W images.

    Args:
        x: (B, P) float column coordinates in pixels, P positions in each of the B images.
        y: (B, P) float row coordinates in pixels.
        height: int32 scalar H.
        width: int32 scalar W.
        padding: "zeros" (corners outside the image are dropped) or "border" (positions
            are clamped to the image).

    Returns:
        Corners with (N, 4) tensors, N = B * P, into a padded table (see `pad_table`).
    """
    column_cell, column_inside, weight_x, slope_x, column_offsets = _axis_cell(
        x, width, _COLUMN_OFFSETS, padding
    )
    row_cell, row_inside, weight_y, slope_y, row_offsets = _axis_cell(
        y, height, _ROW_OFFSETS, padding
    )
    inside = tf.cast(column_inside & row_inside, x.dtype)  # (B, P, 1)
    padded_width = width + 2
    batch = tf.shape(x)[0]
    image_rows = tf.range(batch)[:, tf.newaxis, tf.newaxis] * (height + 2)  # (B, 1, 1)
    rows = image_rows + row_cell + row_offsets  # (B, P, 4) rows of the (B * (H + 2)) view
    columns = column_cell + column_offsets  # (B, P, 4)
    flat = [-1, 4]  # (N, 4)
    return Corners(
        indices=tf.reshape(rows * padded_width + columns, flat),
        weights=tf.reshape(weight_x * weight_y * inside, flat),
        weights_dx=tf.reshape(slope_x * weight_y * inside, flat),
        weights_dy=tf.reshape(weight_x * slope_y * inside, flat),
        rows=tf.reshape(rows, flat),
        columns=tf.reshape(columns, flat),
    )


def scatter_corners(
    corners: Corners, values: tf.Tensor, padded_count: tf.Tensor, per_corner: bool
) -> tf.Tensor:
    """Bilinear splat: sum of K * values[n] into the four corners of every position n.

    Args:
        corners: from `bilinear_corners`, (N, 4) tensors.
        values: (N, D) what each position splats.
        padded_count: B * (H + 2) * (W + 2), the rows of the padded table.
        per_corner: True: one `tensor_scatter_nd_add` per corner, in two independent
            chains (top corners, bottom corners) that are added at the end. Under XLA each
            chain updates its accumulator in place, each corner's (N, D) updates stay
            small, and the two chains run on two threads. False: one
            `unsorted_segment_sum` of all (4 N, D) updates. Which is faster depends on the
            op (benchmarks/warp.py): per corner for the forward warp's [x, 1] values under
            XLA, one scatter for the backward warp's image gradient and outside XLA.

    Returns:
        (B * (H + 2) * (W + 2), D) padded table of the sums (crop it with `crop_table`).
    """
    if not per_corner:
        updates = corners.weights[..., tf.newaxis] * values[:, tf.newaxis]  # (N, 4, D)
        return tf.math.unsorted_segment_sum(
            tf.reshape(updates, tf.stack([-1, tf.shape(values)[1]])),  # (4 N, D)
            tf.reshape(corners.indices, [-1]),
            num_segments=padded_count,
        )
    chains = []
    for pair in ((0, 1), (2, 3)):
        total = tf.zeros(tf.stack([padded_count, tf.shape(values)[1]]), values.dtype)
        for corner in pair:
            total = tf.tensor_scatter_nd_add(
                total,
                corners.indices[:, corner : corner + 1],  # (N, 1)
                corners.weights[:, corner : corner + 1] * values,  # (N, D)
            )
        chains.append(total)
    return chains[0] + chains[1]


def pad_table(image: tf.Tensor, padding: str = "zeros") -> tf.Tensor:
    """(B, H, W, C) -> the padded (B * (H + 2) * (W + 2), C) table of `bilinear_corners`."""
    mode = "SYMMETRIC" if padding == "border" else "CONSTANT"  # symmetric by 1 = edge copy
    padded = tf.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode=mode)
    return tf.reshape(padded, [-1, tf.shape(image)[3]])


def crop_table(table: tf.Tensor, shape: tf.Tensor) -> tf.Tensor:
    """Padded (B * (H + 2) * (W + 2), C) table -> the (B, H, W, C) image of `shape`."""
    batch, height, width = shape[0], shape[1], shape[2]
    padded = tf.reshape(table, tf.stack([batch, height + 2, width + 2, -1]))
    return padded[:, 1 : height + 1, 1 : width + 1, :]
