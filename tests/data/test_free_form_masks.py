"""Free-form stroke masks: determinism, bounds, brush geometry against a direct construction."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.data.free_form_masks import (
    FreeFormMaskConfig,
    free_form_mask,
    hole_ratio,
    sample_strokes,
    stroke_mask,
)


def capsule_reference(shape, start, end, width) -> np.ndarray:
    """Round-capped segment as the union of two discs and a rotated rectangle."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(float)
    radius = width / 2
    discs = ((xs - start[0]) ** 2 + (ys - start[1]) ** 2 <= radius**2) | (
        (xs - end[0]) ** 2 + (ys - end[1]) ** 2 <= radius**2
    )
    direction = np.subtract(end, start) / np.linalg.norm(np.subtract(end, start))
    normal = np.array([-direction[1], direction[0]])
    along = (xs - start[0]) * direction[0] + (ys - start[1]) * direction[1]
    across = (xs - start[0]) * normal[0] + (ys - start[1]) * normal[1]
    length = np.linalg.norm(np.subtract(end, start))
    rectangle = (along >= 0) & (along <= length) & (np.abs(across) <= radius)
    return discs | rectangle


@pytest.mark.parametrize(
    ("start", "end", "width"),
    [((5, 6), (30, 20), 7.0), ((20.5, 3.2), (4.1, 28.7), 4.5), ((16, 16), (16, 25), 10.0)],
)
def test_stroke_is_a_round_capped_segment(start, end, width) -> None:
    ours = stroke_mask((32, 36), np.array([start, end]), width)
    np.testing.assert_array_equal(ours, capsule_reference((32, 36), start, end, width))


def test_polyline_is_the_union_of_its_segments() -> None:
    points = np.array([[3.0, 3.0], [20.0, 10.0], [8.0, 28.0]])
    union = stroke_mask((32, 32), points[:2], 5) | stroke_mask((32, 32), points[1:], 5)
    np.testing.assert_array_equal(stroke_mask((32, 32), points, 5), union)
    dot = stroke_mask((9, 9), np.array([[4.0, 4.0]]), 5.0)
    assert dot.sum() == 21 and dot[4, 4]  # disc of radius 2.5 on the pixel grid


def test_same_seed_same_mask_and_different_seeds_differ() -> None:
    first = free_form_mask(64, (7, 3))
    np.testing.assert_array_equal(first, free_form_mask(64, (7, 3)))
    np.testing.assert_array_equal(first, free_form_mask(64, np.random.default_rng((7, 3))))
    others = [free_form_mask(64, (7, index)) for index in range(4, 8)]
    assert all(not np.array_equal(first, other) for other in others)
    assert first.dtype == bool and first.shape == (64, 64)


@pytest.mark.parametrize("max_hole_ratio", [0.05, 0.2, 0.5])
def test_hole_ratio_bound_and_never_empty(max_hole_ratio: float) -> None:
    config = FreeFormMaskConfig(max_hole_ratio=max_hole_ratio, max_width=0.2)
    for index in range(20):
        mask = free_form_mask((48, 64), (1, index), config)
        assert mask.any()
        assert hole_ratio(mask) <= max_hole_ratio


def test_strokes_stay_in_the_sampled_box_with_sampled_widths() -> None:
    config = FreeFormMaskConfig(min_box=0.3, max_box=0.6, min_width=0.05, max_width=0.08)
    for index in range(10):
        box, strokes = sample_strokes((100, 100), (2, index), config)
        x0, y0, x1, y1 = box
        assert 29 <= x1 - x0 + 1 <= 61 and 29 <= y1 - y0 + 1 <= 61
        margin = 0
        for points, width in strokes:
            assert 5.0 <= width <= 8.0
            assert (points[:, 0] >= x0).all() and (points[:, 0] <= x1).all()
            assert (points[:, 1] >= y0).all() and (points[:, 1] <= y1).all()
            margin = max(margin, width / 2)
        mask = free_form_mask(
            (100, 100), (2, index), FreeFormMaskConfig(**{**config.__dict__, "max_hole_ratio": 1.0})
        )
        ys, xs = np.nonzero(mask)
        assert xs.min() >= x0 - margin and xs.max() <= x1 + margin
        assert ys.min() >= y0 - margin and ys.max() <= y1 + margin


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="max_hole_ratio"):
        FreeFormMaskConfig(max_hole_ratio=0.0)
    with pytest.raises(ValueError, match="min_width"):
        FreeFormMaskConfig(min_width=0.2, max_width=0.1)
    with pytest.raises(ValueError, match="positive"):
        free_form_mask((0, 5), 1)
