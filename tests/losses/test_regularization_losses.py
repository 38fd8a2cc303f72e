"""Total variation and warp-field rigidity."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.losses import rigidity_loss, total_variation_loss


def test_total_variation_hand_computed() -> None:
    image = np.array([[0.0, 1.0], [2.0, 4.0]], np.float32).reshape(1, 2, 2, 1)
    # horizontal differences 1, 2; vertical 2, 3
    np.testing.assert_allclose(total_variation_loss(image, "squared", "sum").numpy(), [18.0])
    np.testing.assert_allclose(total_variation_loss(image, "squared", "mean").numpy(), [4.5])
    np.testing.assert_allclose(
        total_variation_loss(image, "sqrt", "sum", epsilon=0.0).numpy(), [np.sqrt(5.0)], rtol=1e-6
    )


def test_total_variation_matches_numpy() -> None:
    images = np.random.default_rng(0).uniform(-1, 1, size=(3, 6, 5, 2)).astype(np.float32)
    dy = np.diff(images, axis=1)
    dx = np.diff(images, axis=2)
    squared = (dy**2).sum(axis=(1, 2, 3)) + (dx**2).sum(axis=(1, 2, 3))
    isotropic = np.sqrt(dy[:, :, :-1] ** 2 + dx[:, :-1] ** 2 + 1e-8).sum(axis=(1, 2, 3))
    loss = total_variation_loss(images).numpy()
    assert loss.shape == (3,)
    np.testing.assert_allclose(loss, squared / (6 * 5 * 2), rtol=1e-5)
    np.testing.assert_allclose(
        total_variation_loss(images, "sqrt").numpy(), isotropic / 60, rtol=1e-5
    )
    constant = np.ones((2, 4, 4, 3), np.float32)
    np.testing.assert_allclose(total_variation_loss(constant).numpy(), [0.0, 0.0])


def test_total_variation_gradient_is_finite_on_constant_images() -> None:
    images = tf.Variable(np.zeros((1, 4, 4, 1), np.float32))
    with tf.GradientTape() as tape:
        loss = total_variation_loss(images, "sqrt")
    assert np.all(np.isfinite(tape.gradient(loss, images).numpy()))


def rigidity_reference(flow: np.ndarray, epsilon: float = 1e-12) -> float:
    """Thesis 004 Eq. 3.13 for one (H, W, 2) pixel-offset field, springs averaged per direction."""
    height, width = flow.shape[:2]
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    u = (rows + flow[..., 1]) / (height - 1)  # row coordinate in [0, 1]
    v = (columns + flow[..., 0]) / (width - 1)
    vertical = np.sqrt(np.diff(u, axis=0) ** 2 + np.diff(v, axis=0) ** 2 + epsilon)
    horizontal = np.sqrt(np.diff(u, axis=1) ** 2 + np.diff(v, axis=1) ** 2 + epsilon)
    return np.abs(vertical - 1 / (height - 1)).mean() + np.abs(horizontal - 1 / (width - 1)).mean()


def rotation_flow(size: int, angle: float) -> np.ndarray:
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float64)
    centre = (size - 1) / 2
    x, y = columns - centre, rows - centre
    cos, sin = np.cos(angle), np.sin(angle)
    return np.stack([cos * x - sin * y - x, sin * x + cos * y - y], axis=-1).astype(np.float32)


def test_rigidity_is_zero_for_rigid_motions() -> None:
    translation = np.broadcast_to(np.array([3.5, -2.0], np.float32), (1, 8, 12, 2))
    rotation = rotation_flow(16, 0.7)[np.newaxis]
    np.testing.assert_allclose(rigidity_loss(translation).numpy(), [0.0], atol=1e-6)
    np.testing.assert_allclose(rigidity_loss(rotation).numpy(), [0.0], atol=1e-5)


def test_rigidity_of_a_horizontal_stretch() -> None:
    width = 11
    columns = np.broadcast_to(np.arange(width, dtype=np.float32), (7, width))
    flow = np.stack([0.1 * columns, np.zeros_like(columns)], axis=-1)[np.newaxis]
    # horizontal springs: (1 + 0.1) / (W - 1) long, rest 1 / (W - 1); vertical springs unchanged
    np.testing.assert_allclose(rigidity_loss(flow).numpy(), [0.1 / (width - 1)], rtol=1e-4)


def test_rigidity_matches_numpy_and_averages_over_warp_fields() -> None:
    flows = np.random.default_rng(1).normal(scale=0.8, size=(2, 3, 6, 9, 2)).astype(np.float32)
    expected = np.array(
        [np.mean([rigidity_reference(field) for field in example]) for example in flows]
    )
    loss = rigidity_loss(flows).numpy()
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss, expected, rtol=1e-4)
    np.testing.assert_allclose(
        rigidity_loss(flows[:, 0]).numpy(), [rigidity_reference(f) for f in flows[:, 0]], rtol=1e-4
    )
    assert np.all(loss > 0)


def test_rigidity_gradients_are_finite_for_collapsed_springs() -> None:
    rows, columns = np.mgrid[0:5, 0:5].astype(np.float32)
    collapse = np.stack([-columns, -rows], axis=-1)[np.newaxis]  # every pixel onto (0, 0)
    for start in (np.zeros((1, 5, 5, 2), np.float32), collapse):
        flows = tf.Variable(start)
        with tf.GradientTape() as tape:
            loss = rigidity_loss(flows)
        assert np.all(np.isfinite(tape.gradient(loss, flows).numpy()))


def test_bad_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="2 channels"):
        rigidity_loss(np.zeros((1, 4, 4, 3), np.float32))
    with pytest.raises(ValueError, match="rank"):
        rigidity_loss(np.zeros((4, 4, 2), np.float32))
    with pytest.raises(ValueError, match="2 x 2"):
        rigidity_loss(np.zeros((1, 1, 4, 2), np.float32))
    with pytest.raises(ValueError, match="form"):
        total_variation_loss(np.zeros((1, 4, 4, 1), np.float32), form="cubic")
    with pytest.raises(ValueError, match="rank 4"):
        total_variation_loss(np.zeros((4, 4, 1), np.float32))
