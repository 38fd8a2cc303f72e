"""Pure TensorFlow ops with custom gradients: warping, sampling grids, hole filling.

Sevastopolskiy 2019 (forward warping, eqs. 3.4-3.7 and appendix A; backward warping,
eqs. 3.1-3.3) and the grid conventions of `tfface/ops/grids.py` (flows in pixels, x first; grids in
[-1, 1] with align-corners semantics).
"""

from tfface.ops.grids import (
    coordinates_to_offsets,
    denormalize_coordinates,
    flow_to_grid,
    grid_to_flow,
    mesh_grid,
    normalize_coordinates,
    offsets_to_coordinates,
)
from tfface.ops.hole_filling import nearest_fill
from tfface.ops.warp import backward_warp, forward_warp, grid_sample, sample_pixels

__all__ = [
    "backward_warp",
    "coordinates_to_offsets",
    "denormalize_coordinates",
    "flow_to_grid",
    "forward_warp",
    "grid_sample",
    "grid_to_flow",
    "mesh_grid",
    "nearest_fill",
    "normalize_coordinates",
    "offsets_to_coordinates",
    "sample_pixels",
]
