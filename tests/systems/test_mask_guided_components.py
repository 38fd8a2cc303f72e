"""Graph functions of the mask-guided system: crops, boxes, placement, enlarged labels, pairing."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfface.data.reader import make_dataset
from tfface.systems.mask_guided.components import (
    component_boxes,
    component_images,
    enlarged_label_map,
    place_features,
)
from tfface.systems.mask_guided.training import neighbour_indices, paired_flag


@pytest.fixture(scope="module")
def batch(faces_dir) -> dict:
    dataset = make_dataset(
        f"{faces_dir}/train-*.tfrecord",
        features=("image", "label_map_11"),
        batch_size=8,
        image_size=64,
        crops=True,
        append_regions=True,
        shuffle=False,
    )
    return next(iter(dataset))


def test_component_images_match_the_readers_crops(batch) -> None:
    images, boxes = component_images(batch["image"], batch["label_map_11"], 64)
    for name in ("left_eye", "right_eye", "mouth"):
        np.testing.assert_array_equal(images[name].numpy(), batch[f"crop_{name}"].numpy())
        np.testing.assert_array_equal(boxes[name].numpy(), batch[f"box_{name}"].numpy())
    from_labels = component_boxes(batch["label_map_11_index"], 64)
    for name, box in from_labels.items():
        np.testing.assert_array_equal(box.numpy(), batch[f"box_{name}"].numpy())
    labels = batch["label_map_11_index"].numpy()
    skin = np.isin(labels, (1, 2, 3, 6))[..., None]
    expected = np.where(skin, batch["image"].numpy(), -1.0)
    np.testing.assert_allclose(images["skin"].numpy(), expected, atol=1e-6)
    hair = (labels == 10)[..., None]
    np.testing.assert_allclose(
        images["hair"].numpy(), np.where(hair, batch["image"].numpy(), -1.0), atol=1e-6
    )


def test_place_features_matches_numpy_and_passes_gradients() -> None:
    rng = np.random.default_rng(0)
    features = tf.constant(rng.normal(size=(3, 2, 3, 4)), tf.float32)
    boxes = tf.constant([[0, 0], [13, 21], [40, 60]], tf.int32)  # the last one is clipped
    with tf.GradientTape() as tape:
        tape.watch(features)
        placed = place_features(features, boxes, (16, 16), 4)
        total = tf.reduce_sum(placed)
    # each box at a quarter of its pixel position, rounded; the last one clipped so the
    # 2 x 3 map stays on the 16 x 16 canvas
    corners = [(0, 0), (3, 5), (10, 13)]
    expected = np.zeros((3, 16, 16, 4), np.float32)
    for index, (row, column) in enumerate(corners):
        expected[index, row : row + 2, column : column + 3] = features[index].numpy()
    np.testing.assert_allclose(placed.numpy(), expected)
    np.testing.assert_allclose(tape.gradient(total, features).numpy(), 1.0)


def test_enlarged_label_map_grows_eyes_and_mouth_by_the_append_regions(batch) -> None:
    labels = batch["label_map_11_index"]
    regions = {name: batch[f"append_{name}"] for name in ("left_eye", "right_eye", "mouth")}
    enlarged = enlarged_label_map(labels, regions).numpy()
    computed = enlarged_label_map(batch["label_map_11"]).numpy()
    np.testing.assert_array_equal(enlarged, computed)
    original = labels.numpy()
    for label, region in ((4, "left_eye"), (5, "right_eye")):
        np.testing.assert_array_equal(enlarged == label, regions[region].numpy()[..., 0] > 0.5)
        assert (enlarged == label).sum() >= (original == label).sum()
    mouth = np.isin(enlarged, (7, 8, 9))
    np.testing.assert_array_equal(mouth, regions["mouth"].numpy()[..., 0] > 0.5)
    untouched = ~np.isin(enlarged, (4, 5, 7, 8, 9)) & ~np.isin(original, (4, 5, 7, 8, 9))
    np.testing.assert_array_equal(enlarged[untouched], original[untouched])


def test_enlarged_label_map_scales_components_about_their_centres() -> None:
    labels = np.ones((1, 64, 64), np.int32)
    labels[0, 20:30, 10:30] = 4  # a 10 x 20 left eye
    labels[0, 44:48, 20:44] = 7  # upper lip over
    labels[0, 48:52, 20:44] = 9  # the lower lip
    enlarged = enlarged_label_map(tf.constant(labels)).numpy()[0]
    rows, columns = np.nonzero(enlarged == 4)
    assert (
        rows.min() == 19 and columns.min() == 9 and columns.max() == 30
    )  # grew about (24.5, 19.5)
    assert 1.1 * 200 <= (enlarged == 4).sum() <= 1.1**2 * 200 + 20
    assert (enlarged == 7).sum() > 4 * 24 and (enlarged == 9).sum() > 4 * 24  # both lips grew
    assert np.isin(enlarged, (7, 9)).sum() > 8 * 24
    assert np.isin(enlarged[44:52, 20:44], (7, 9)).all()


def test_unpaired_sources_are_neighbours_and_pairing_follows_the_fraction() -> None:
    assert neighbour_indices(tf.constant(4)).numpy().tolist() == [1, 0, 3, 2]
    assert neighbour_indices(tf.constant(5)).numpy().tolist() == [1, 0, 3, 2, 3]
    assert neighbour_indices(tf.constant(1)).numpy().tolist() == [0]
    flags = [float(paired_flag(tf.constant(step, tf.int64), 0.5)) for step in range(6)]
    assert flags == [1, 0, 1, 0, 1, 0]
    thirds = [float(paired_flag(tf.constant(step, tf.int64), 1 / 3)) for step in range(9)]
    assert sum(thirds) == 3 and thirds[0] == 1
    assert all(float(paired_flag(tf.constant(step, tf.int64), 1.0)) == 1 for step in range(4))
    assert all(float(paired_flag(tf.constant(step, tf.int64), 0.0)) == 0 for step in range(4))
