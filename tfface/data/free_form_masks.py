"""Free-form stroke hole masks for inpainting (pure NumPy, seeded, deterministic).

In the spirit of the free-form masks of Yu et al., "Free-Form Image Inpainting
with Gated Convolution", ICCV 2019 (DeepFill v2) and the QD-IMD hand-drawn
masks: a mask is the union of a few brush strokes; each stroke is a chain of
connected line segments drawn with a round brush (round caps and joints,
i.e. the set of pixels within width / 2 of the polyline). Per mask a
bounding box is sampled uniformly (side fractions and position) and every
stroke stays inside it; per stroke the brush width, vertex count, segment
angles and lengths are sampled uniformly. A stroke that would push the hole
ratio above `max_hole_ratio` is skipped, so every mask respects it.

The same (size, seed) always gives the same mask, on every machine: the Beam
job `masks --generate N` seeds mask i with (seed, i), and the tf.data reader
can draw masks on the fly from a per-example seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FreeFormMaskConfig:
    """Sampling ranges of a free-form mask; lengths are fractions of the mask side.

    Args:
        min_strokes, max_strokes: strokes per mask, uniform integers.
        min_vertices, max_vertices: vertices per stroke (segments + 1), uniform integers.
        min_width, max_width: brush width, uniform, fraction of the shorter side.
        min_length, max_length: segment length, uniform, fraction of the shorter side.
        max_angle_change: max change of direction between consecutive segments, radians
            (the first direction is uniform in [0, 2 pi)).
        min_box, max_box: side of the strokes' bounding box, uniform, fraction of each side.
        max_hole_ratio: largest allowed fraction of hole pixels (0, 1].
    """

    min_strokes: int = 1
    max_strokes: int = 5
    min_vertices: int = 2
    max_vertices: int = 8
    min_width: float = 0.03
    max_width: float = 0.10
    min_length: float = 0.05
    max_length: float = 0.25
    max_angle_change: float = 2.0 * np.pi / 3.0
    min_box: float = 0.4
    max_box: float = 1.0
    max_hole_ratio: float = 0.5

    def __post_init__(self) -> None:
        checks = (
            (1 <= self.min_strokes <= self.max_strokes, "1 <= min_strokes <= max_strokes"),
            (2 <= self.min_vertices <= self.max_vertices, "2 <= min_vertices <= max_vertices"),
            (0 < self.min_width <= self.max_width, "0 < min_width <= max_width"),
            (0 <= self.min_length <= self.max_length, "0 <= min_length <= max_length"),
            (0 <= self.max_angle_change <= 2 * np.pi, "0 <= max_angle_change <= 2 pi"),
            (0 < self.min_box <= self.max_box <= 1, "0 < min_box <= max_box <= 1"),
            (0 < self.max_hole_ratio <= 1, "0 < max_hole_ratio <= 1"),
        )
        for ok, rule in checks:
            if not ok:
                raise ValueError(f"FreeFormMaskConfig needs {rule}; got {self}")


def stroke_mask(shape: tuple[int, int], points: np.ndarray, width: float) -> np.ndarray:
    """Rasterises a polyline drawn with a round brush.

    Args:
        shape: (height, width) of the mask.
        points: (N, 2) vertices (x, y) in pixels (pixel centres at integers), N >= 1.
        width: brush diameter in pixels.

    Returns:
        bool (height, width): pixel centres within width / 2 of a segment.
    """
    height, width_px = shape
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    radius = width / 2.0
    mask = np.zeros(shape, dtype=bool)
    segments = (
        zip(points[:-1], points[1:], strict=True) if len(points) > 1 else [(points[0], points[0])]
    )
    for start, end in segments:
        x0 = max(0, int(np.floor(min(start[0], end[0]) - radius)))
        x1 = min(width_px - 1, int(np.ceil(max(start[0], end[0]) + radius)))
        y0 = max(0, int(np.floor(min(start[1], end[1]) - radius)))
        y1 = min(height - 1, int(np.ceil(max(start[1], end[1]) + radius)))
        if x0 > x1 or y0 > y1:
            continue
        ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1].astype(np.float64)
        direction = end - start
        length_squared = float(direction @ direction)
        if length_squared > 0:
            t = ((xs - start[0]) * direction[0] + (ys - start[1]) * direction[1]) / length_squared
            t = np.clip(t, 0.0, 1.0)
        else:
            t = np.zeros_like(xs)
        dx = xs - (start[0] + t * direction[0])
        dy = ys - (start[1] + t * direction[1])
        mask[y0 : y1 + 1, x0 : x1 + 1] |= dx * dx + dy * dy <= radius * radius
    return mask


def _generator(seed: int | Sequence[int] | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def sample_strokes(
    shape: tuple[int, int],
    seed: int | Sequence[int] | np.random.Generator,
    config: FreeFormMaskConfig = FreeFormMaskConfig(),
) -> tuple[tuple[int, int, int, int], list[tuple[np.ndarray, float]]]:
    """The random geometry of one mask: bounding box (x0, y0, x1, y1) and (vertices, width) strokes."""
    rng = _generator(seed)
    height, width = shape
    side = min(height, width)
    box_width = max(1, int(round(rng.uniform(config.min_box, config.max_box) * width)))
    box_height = max(1, int(round(rng.uniform(config.min_box, config.max_box) * height)))
    box_x = int(rng.integers(0, width - box_width + 1))
    box_y = int(rng.integers(0, height - box_height + 1))
    box = (box_x, box_y, box_x + box_width - 1, box_y + box_height - 1)
    strokes = []
    for _ in range(int(rng.integers(config.min_strokes, config.max_strokes + 1))):
        brush = rng.uniform(config.min_width, config.max_width) * side
        vertices = int(rng.integers(config.min_vertices, config.max_vertices + 1))
        point = np.array([rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])])
        angle = rng.uniform(0.0, 2.0 * np.pi)
        points = [point]
        for index in range(vertices - 1):
            if index:
                angle += rng.uniform(-config.max_angle_change, config.max_angle_change)
            length = rng.uniform(config.min_length, config.max_length) * side
            point = point + length * np.array([np.cos(angle), np.sin(angle)])
            point = np.clip(point, [box[0], box[1]], [box[2], box[3]])
            points.append(point)
        strokes.append((np.stack(points), float(brush)))
    return box, strokes


def free_form_mask(
    size: int | tuple[int, int],
    seed: int | Sequence[int] | np.random.Generator,
    config: FreeFormMaskConfig = FreeFormMaskConfig(),
) -> np.ndarray:
    """One free-form hole mask.

    Args:
        size: side S or (height, width).
        seed: integer, integer sequence (e.g. (dataset_seed, mask_index)) or Generator.
        config: sampling ranges.

    Returns:
        bool (height, width), True = hole; never empty, and the hole ratio is at most
        config.max_hole_ratio (unless one pixel alone is more, on tiny masks).
    """
    shape = (
        (int(size), int(size))
        if isinstance(size, int | np.integer)
        else (int(size[0]), int(size[1]))
    )
    if min(shape) < 1:
        raise ValueError(f"mask size must be positive, got {shape}")
    box, strokes = sample_strokes(shape, seed, config)
    limit = config.max_hole_ratio * shape[0] * shape[1]
    mask = np.zeros(shape, dtype=bool)
    for points, brush in strokes:
        candidate = mask | stroke_mask(shape, points, brush)
        if candidate.sum() <= limit:
            mask = candidate
    if not mask.any():  # every stroke was too large: one minimal dot at the box centre
        centre = np.round([(box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0])
        mask = stroke_mask(shape, centre[None], 1.0)
    return mask


def hole_ratio(mask: np.ndarray) -> float:
    """Fraction of hole pixels of a bool / uint8 (nonzero = hole) mask."""
    return float(np.count_nonzero(mask)) / float(np.asarray(mask).size)
