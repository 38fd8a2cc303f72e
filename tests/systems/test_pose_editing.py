"""pose_editing (Yin 2022 ch. 3): preprocessing, PAS, losses and inputs against NumPy references.

Training, checkpoints, export and two replicas are covered by the contract
(tests/systems/test_system_contract.py -k pose_editing); the learning check is in
test_pose_editing_learning.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from matplotlib.path import Path

from tfface.config import ConfigError, get_preset
from tfface.geometry.alignment import umeyama
from tfface.geometry.camera import rotation_matrix
from tfface.systems.pose_editing import PoseEditingSystem
from tfface.systems.pose_editing import landmarks as geometry
from tfface.systems.pose_editing.config import PoseEditingModelConfig
from tfface.systems.pose_editing.data import (
    orient_pairs,
    pose_editing_batches,
    rectangle_occlusions,
)
from tfface.systems.pose_editing.segmentation import (
    BROW_BAND,
    BROW_EYES,
    NUM_CLASSES,
    POLYGONS,
    SEGMENTATION_CLASSES,
    landmark_segmentation,
)
from tfface.systems.pose_editing.training import sampler_terms

SIZE = 32


def random_landmarks(rng: np.random.Generator, batch: int, size: int = SIZE) -> np.ndarray:
    """Plausible faces: a fixed layout jittered, scaled and shifted; float32 (B, 68, 3) px."""
    angles = np.linspace(0, 2 * np.pi, 68, endpoint=False)
    layout = np.stack([np.cos(angles), np.sin(angles), np.cos(3 * angles)], -1) * 0.3
    layout[17:] *= rng.uniform(0.2, 0.9, (51, 1))  # inner points inside the jaw ring
    scale = rng.uniform(0.8, 1.2, (batch, 1, 1)) * size / 2
    shift = rng.uniform(-2, 2, (batch, 1, 3)) * np.array([1, 1, 0]) + np.array(
        [size / 2, size / 2, 0]
    )
    jitter = rng.normal(0, 0.01, (batch, 68, 3))
    return ((layout + jitter) * scale + shift).astype(np.float32)


def numpy_grid_sample(image: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Independent bilinear reference: align-corners grid (x, y) in [-1, 1], zeros outside."""
    batch, height, width, _ = image.shape
    x = (grid[..., 0].astype(np.float64) + 1) / 2 * (width - 1)
    y = (grid[..., 1].astype(np.float64) + 1) / 2 * (height - 1)
    output = np.zeros((*grid.shape[:3], image.shape[-1]))
    for b in range(batch):
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                x0, y0 = int(np.floor(x[b, i, j])), int(np.floor(y[b, i, j]))
                for xi, yi in ((x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1)):
                    weight = (1 - abs(x[b, i, j] - xi)) * (1 - abs(y[b, i, j] - yi))
                    if 0 <= xi < width and 0 <= yi < height:
                        output[b, i, j] += weight * image[b, yi, xi]
    return output


def tiny_model(**changes) -> PoseEditingModelConfig:
    model = get_preset("pose_editing", "tiny").model
    return dataclasses.replace(model, image_size=SIZE, downsamplings=3, **changes)


# -- preprocessing (L1223-1232) -------------------------------------------------------------


def test_similarity_fit_matches_umeyama_on_the_weighted_points() -> None:
    rng = np.random.default_rng(0)
    source = random_landmarks(rng, 3)
    angle, scale = 0.3, 1.3
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    target = source.copy()
    target[..., :2] = scale * source[..., :2] @ rotation.T + np.array([2.0, -1.5])
    target[..., :2] += rng.normal(0, 0.5, target[..., :2].shape)  # not exactly a similarity
    weights = (rng.uniform(size=(3, 68)) < 0.5).astype(np.float32)
    matrix = geometry.fit_similarity(tf.constant(source), tf.constant(target), tf.constant(weights))
    for b in range(3):
        chosen = weights[b] > 0
        expected = umeyama(source[b, chosen, :2], target[b, chosen, :2])[:2]
        np.testing.assert_allclose(matrix[b].numpy(), expected, atol=1e-3)
    moved = geometry.transform_landmarks(matrix, tf.constant(source)).numpy()
    expected_xy = np.einsum("bij,bnj->bni", matrix[:, :, :2].numpy(), source[..., :2])
    np.testing.assert_allclose(
        moved[..., :2], expected_xy + matrix[:, None, :, 2].numpy(), atol=1e-4
    )
    scales = np.linalg.norm(matrix[:, :, 0].numpy(), axis=-1)
    np.testing.assert_allclose(moved[..., 2], source[..., 2] * scales[:, None], rtol=1e-5)


def test_similarity_warp_matches_numpy_bilinear_inverse_mapping() -> None:
    rng = np.random.default_rng(1)
    image = rng.uniform(-1, 1, (2, SIZE, SIZE, 3)).astype(np.float32)
    a, b = 1.1 * np.cos(0.2), 1.1 * np.sin(0.2)
    matrix = np.array([[[a, -b, 3.0], [b, a, -2.0]]] * 2, np.float32)
    warped = geometry.warp_by_similarity(tf.constant(image), tf.constant(matrix)).numpy()
    rows, columns = np.meshgrid(np.arange(SIZE), np.arange(SIZE), indexing="ij")
    pixels = np.stack([columns, rows], -1).astype(np.float64)
    inverse = np.linalg.inv(matrix[0, :, :2].astype(np.float64))
    source = (pixels - matrix[0, :, 2]) @ inverse.T  # (S, S, 2) T^-1 p
    grid = source / (SIZE - 1) * 2 - 1
    expected = numpy_grid_sample(image, np.broadcast_to(grid, (2, SIZE, SIZE, 2)))
    np.testing.assert_allclose(warped, expected, atol=1e-4)


def test_exposed_half_is_the_half_with_the_larger_box() -> None:
    rng = np.random.default_rng(2)
    points = random_landmarks(rng, 2)
    centre = points[..., 0].mean(axis=1, keepdims=True)
    left = np.array(geometry.LEFT_HALF)
    squashed = points.copy()
    squashed[0, left, 0] = centre[0] + 0.2 * (points[0, left, 0] - centre[0])  # left hidden
    right = np.array(geometry.RIGHT_HALF)
    squashed[1, right, 0] = centre[1] + 0.2 * (points[1, right, 0] - centre[1])
    weights = geometry.exposed_half_weights(tf.constant(squashed)).numpy()
    expected_right = np.isin(np.arange(68), right).astype(np.float32)
    expected_left = np.isin(np.arange(68), left).astype(np.float32)
    np.testing.assert_array_equal(weights, np.stack([expected_right, expected_left]))


def test_rotate_landmarks_is_the_camera_rotation() -> None:
    rng = np.random.default_rng(3)
    frontal = rng.uniform(-0.5, 0.5, (2, 68, 3)).astype(np.float32)
    yaw, pitch = np.array([30.0, -45.0], np.float32), np.array([10.0, -20.0], np.float32)
    rotated = geometry.rotate_landmarks(tf.constant(frontal), yaw, pitch, 64).numpy()
    flip = np.array([1.0, -1.0, 1.0])
    centre = np.array([-1.0 / 64, -1.0 / 64 - 0.132, 0.0])  # ((S-1)/2, (S-1)/2 - 0.066 S) px
    for b in range(2):
        posed = ((frontal[b] - centre) * flip) @ rotation_matrix(yaw[b], pitch[b], 0.0).T
        np.testing.assert_allclose(rotated[b], posed * flip + centre, atol=1e-5)


def test_rotating_a_rendered_frontal_face_gives_its_pitched_view() -> None:
    """Pitch needs the true rotation centre (0.066 S above the image centre): SynthFaces'
    exact landmarks of one head at (0, 0) and at yaw 30, pitch 20."""
    from tfface.synth.synthfaces import SynthFaces

    faces = SynthFaces(image_size=64, uv_size=16)
    frontal = faces.sample(0)["landmarks"][np.newaxis]
    posed = faces.sample(0, yaw=30.0, pitch=20.0)["landmarks"][np.newaxis]
    normalised = geometry.normalize_landmarks(tf.constant(frontal), 64)
    rotated = geometry.rotate_landmarks(normalised, tf.constant([30.0]), tf.constant([20.0]), 64)
    error = np.abs(geometry.denormalize_landmarks(rotated, 64).numpy() - posed)
    assert error.max() < 0.05


def test_rotating_synthfaces_frontal_landmarks_gives_the_side_view(pose_pairs_dir) -> None:
    """SynthFaces' exact landmarks: the frontal view posed at the side view's yaw is the side
    view (orthographic camera), to the records' rounding."""
    from tfface.data.reader import make_dataset

    batch = next(
        iter(
            make_dataset(
                f"{pose_pairs_dir}/train-*.tfrecord",
                features=("landmarks", "target_landmarks", "pose"),
                batch_size=8,
                image_size=64,
                shuffle=False,
            )
        )
    )
    frontal = geometry.normalize_landmarks(batch["target_landmarks"], 64)
    posed = geometry.rotate_landmarks(frontal, batch["pose"][:, 0], batch["pose"][:, 1], 64)
    error = np.abs(geometry.denormalize_landmarks(posed, 64).numpy() - batch["landmarks"].numpy())
    assert error.max() < 0.5


def numpy_segmentation(landmarks: np.ndarray, size: int) -> np.ndarray:
    """Reference label map (S, S) with matplotlib's point-in-polygon (even-odd for simple ones)."""
    rows, columns = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    centres = np.stack([columns.ravel(), rows.ravel()], -1).astype(np.float64)
    labels = np.zeros(size * size, np.int64)
    for name, indices in POLYGONS:
        polygon = landmarks[list(indices), :2].astype(np.float64)
        if name in BROW_EYES:
            eye = landmarks[list(BROW_EYES[name]), :2].mean(axis=0)
            polygon = np.concatenate([polygon, (polygon + BROW_BAND * (eye - polygon))[::-1]])
        inside = Path(polygon).contains_points(centres)
        labels[inside] = SEGMENTATION_CLASSES.index(name)
    return labels.reshape(size, size)


def test_landmark_segmentation_matches_matplotlib(pose_pairs_dir) -> None:
    from tfface.data.reader import make_dataset

    points = next(
        iter(
            make_dataset(
                f"{pose_pairs_dir}/train-*.tfrecord",
                features=("landmarks",),
                batch_size=4,
                image_size=64,
                shuffle=False,
            )
        )
    )["landmarks"].numpy()
    maps = landmark_segmentation(tf.constant(points), 64).numpy()
    assert maps.shape == (4, 64, 64, NUM_CLASSES)
    np.testing.assert_array_equal(maps.sum(-1), 1.0)
    for b in range(4):
        labels = maps[b].argmax(-1)
        expected = numpy_segmentation(points[b], 64)
        # pixel centres exactly on an edge may differ between the two rules
        assert np.mean(labels != expected) < 0.003, b
        assert set(np.unique(labels)) >= {0, 1, 4, 5, 6}  # background, skin, eyes, nose


def test_data_recipe_aligns_segments_and_occludes(pose_pairs_dir) -> None:
    config = get_preset("pose_editing", "tiny")
    config = dataclasses.replace(config, data=dataclasses.replace(config.data, shuffle_buffer=0))
    batch = next(iter(pose_editing_batches(config, pose_pairs_dir)))
    size = config.data.image_size
    assert batch["aligned_image"].shape == (4, size, size, 3)
    assert batch["aligned_segmentation"].shape == (4, size, size, NUM_CLASSES)
    exposed = geometry.exposed_half_weights(batch["landmarks"]).numpy() > 0
    aligned_error = np.abs((batch["aligned_landmarks"] - batch["target_landmarks"]).numpy())[
        ..., :2
    ]
    raw_error = np.abs((batch["landmarks"] - batch["target_landmarks"]).numpy())[..., :2]
    assert aligned_error[exposed].mean() <= raw_error[exposed].mean() + 1e-6
    holes = (batch["occluded_image"].numpy() == 0).all(-1).mean(axis=(1, 2))
    assert np.all(holes > 0.03) and np.all(holes < 0.45)


def test_orient_pairs_swaps_only_reversed_examples() -> None:
    batch = {
        "image": tf.fill([2, 2, 2, 3], 1.0),
        "target_image": tf.fill([2, 2, 2, 3], 2.0),
        "landmarks": tf.fill([2, 68, 3], 1.0),
        "target_landmarks": tf.fill([2, 68, 3], 2.0),
        "pose": tf.constant([[30.0, 0, 0]] * 2),
        "target_pose": tf.zeros([2, 3]),
    }
    oriented = orient_pairs(batch, tf.constant([False, True]))
    assert oriented["image"][:, 0, 0, 0].numpy().tolist() == [1.0, 2.0]
    assert oriented["target_landmarks"][:, 0, 0].numpy().tolist() == [2.0, 1.0]
    assert oriented["target_pose"][:, 0].numpy().tolist() == [0.0, 30.0]


def test_rectangle_occlusions_cover_the_requested_fraction() -> None:
    masks = rectangle_occlusions(tf.constant([64, 32, 32, 3]), tf.constant([3, 4]), (0.1, 0.4))
    fractions = masks.numpy().mean(axis=(1, 2, 3))
    assert masks.shape == (64, 32, 32, 1)
    assert fractions.min() > 0.02 and fractions.max() < 0.45
    again = rectangle_occlusions(tf.constant([64, 32, 32, 3]), tf.constant([3, 4]), (0.1, 0.4))
    np.testing.assert_array_equal(masks.numpy(), again.numpy())


# -- PAS and the losses -----------------------------------------------------------------------


def test_pas_sampling_matches_numpy_bilinear_reference() -> None:
    model = tiny_model(sampling_map="absolute")
    system = PoseEditingSystem(PoseEditingSystem.build_networks(model), model)
    rng = np.random.default_rng(4)
    images = rng.uniform(-1, 1, (2, SIZE, SIZE, 3)).astype(np.float32)
    condition = rng.uniform(-1, 1, (2, 68, 3)).astype(np.float32)
    grid = system.pixel_attention_sampler([images, condition]).numpy()
    assert np.abs(grid).max() <= 1.0
    assert np.abs(grid - grid[:, :1, :1]).max() > 1e-3  # a real map, not a constant
    extra = rng.uniform(0, 1, (2, SIZE, SIZE, NUM_CLASSES)).astype(np.float32)
    sampled, segmentation = system.pixel_attention(
        tf.constant(images), tf.constant(condition), tf.constant(extra), training=False
    )
    np.testing.assert_allclose(sampled.numpy(), numpy_grid_sample(images, grid), atol=1e-4)
    np.testing.assert_allclose(segmentation.numpy(), numpy_grid_sample(extra, grid), atol=1e-4)


def test_fresh_residual_pas_copies_its_input() -> None:
    model = tiny_model()
    system = PoseEditingSystem(PoseEditingSystem.build_networks(model), model)
    images = np.random.default_rng(5).uniform(-1, 1, (2, SIZE, SIZE, 3)).astype(np.float32)
    sampled, _ = system.pixel_attention(
        tf.constant(images), tf.zeros([2, 68, 3]), None, training=False
    )
    np.testing.assert_allclose(sampled.numpy(), images, atol=1e-5)


def test_sampler_terms_dice_by_hand() -> None:
    """Eq. 3.3 on 2 x 2 maps: class 1 (skin) predicted 0.5 on both of its pixels, class 2 exact,
    background excluded: 1 - 2*1/(2+1) + 1 - 2*1/(1+1) = 1/3."""
    model = PoseEditingModelConfig()
    target = np.zeros((1, 2, 2, NUM_CLASSES), np.float32)
    target[0, 0, :, 1] = 1.0  # skin on the top row
    target[0, 1, 0, 2] = 1.0  # l_brow bottom left
    target[0, 1, 1, 0] = 1.0  # background
    predicted = np.zeros_like(target)
    predicted[0, 0, :, 1] = 0.5
    predicted[0, 1, 0, 2] = 1.0
    image = tf.zeros([1, 2, 2, 3])
    terms = sampler_terms(model, image, image, image, image, predicted, target, tf.zeros([1]))
    np.testing.assert_allclose(terms["segmentation_loss"].numpy(), [1.0 / 3.0], atol=1e-5)
    np.testing.assert_allclose(terms["sampler_loss"].numpy(), [1.0 / 3.0], atol=1e-5)
    with_background = sampler_terms(
        dataclasses.replace(model, segmentation_background=True),
        image,
        image,
        image,
        image,
        predicted,
        target,
        tf.zeros([1]),
    )
    np.testing.assert_allclose(with_background["segmentation_loss"].numpy(), [4.0 / 3.0], atol=1e-5)


def test_sampler_pixel_loss_is_eq_3_1() -> None:
    model = PoseEditingModelConfig()
    zeros, ones = tf.zeros([1, 4, 4, 3]), tf.ones([1, 4, 4, 3])
    maps = tf.zeros([1, 4, 4, NUM_CLASSES])
    terms = sampler_terms(model, ones, zeros, 0.5 * ones, zeros, maps, maps, tf.zeros([1]))
    np.testing.assert_allclose(terms["sampler_pixel_loss"].numpy(), [1.0 + 0.1 * 0.5], atol=1e-6)
    np.testing.assert_allclose(terms["sampler_tv_loss"].numpy(), [0.0], atol=1e-7)


# -- configuration and inputs -----------------------------------------------------------------


def test_presets_and_config_checks() -> None:
    assert get_preset("pose_editing", "paper_no_pas").model.pas is False
    assert get_preset("pose_editing", "paper").model.pas is True
    assert get_preset("pose_editing", "paper").data.image_size == 128
    with pytest.raises(ConfigError, match="occluded_reconstruction"):
        PoseEditingModelConfig(occluded_reconstruction=False).validate()
    with pytest.raises(ConfigError, match="divisible"):
        dataclasses.replace(PoseEditingModelConfig(), image_size=100).validate()
    with pytest.raises(ConfigError, match="occlusion_fraction"):
        PoseEditingModelConfig(occlusion_fraction=(0.5, 0.2)).validate()


def test_no_pas_system_has_no_sampler_and_uses_the_aligned_image() -> None:
    model = tiny_model(pas=False)
    system = PoseEditingSystem(PoseEditingSystem.build_networks(model), model)
    assert "pixel_attention_sampler" not in system.network_names
    rng = np.random.default_rng(6)
    images = rng.uniform(-1, 1, (1, SIZE, SIZE, 3)).astype(np.float32)
    source = random_landmarks(rng, 1)
    out = system.rotate_to_pose(images, source, source)
    np.testing.assert_allclose(out["sampled"], out["aligned"])


@pytest.fixture(scope="module")
def small_system():
    model = tiny_model()
    return PoseEditingSystem(PoseEditingSystem.build_networks(model), model)


def test_eager_api_rejects_bad_inputs(small_system) -> None:
    images = np.zeros((2, SIZE, SIZE, 3), np.float32)
    landmarks = random_landmarks(np.random.default_rng(7), 2)
    with pytest.raises(ValueError, match=r"\(68, 3\)"):
        small_system.rotate_to_pose(images, landmarks[:, :5], landmarks)
    with pytest.raises(ValueError, match="3 landmark sets for 2 images"):
        small_system.rotate_to_pose(images, landmarks, np.concatenate([landmarks, landmarks[:1]]))
    bad = landmarks.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        small_system.rotate_to_pose(images, bad, landmarks)
    with pytest.raises(ValueError, match="target_yaw must lie"):
        small_system.rotate_to_angles(images, 120.0)
    with pytest.raises(ValueError, match="target_pitch must lie"):
        small_system.rotate_to_angles(images, 0.0, -75.0)
    with pytest.raises(ValueError, match="target_yaw must be numbers"):
        small_system.rotate_to_angles(images, "left")
    with pytest.raises(ValueError, match="images"):
        small_system.rotate_to_angles(np.zeros((2, 16, 16, 3), np.float32), 0.0)


def test_eager_api_outputs(small_system) -> None:
    rng = np.random.default_rng(8)
    images = rng.uniform(-1, 1, (2, SIZE, SIZE, 3)).astype(np.float32)
    out = small_system.rotate_to_angles(images, [0.0, 30.0], 10.0)
    assert set(out) == {"image", "sampled", "aligned"}
    for value in out.values():
        assert value.shape == (2, SIZE, SIZE, 3) and np.isfinite(value).all()
    given = small_system.rotate_to_angles(images, 0.0, 0.0, random_landmarks(rng, 2))
    assert given["image"].shape == (2, SIZE, SIZE, 3)


def test_predict_angles_pick_rotate_to_angles_and_fill_the_other_angle(small_system) -> None:
    import argparse

    from tfface.cli.predict import choose_signature
    from tfface.cli.prediction_inputs import build_inputs

    signatures = small_system.EXPORTS(small_system)
    expected = ["rotate_to_angles", "rotate_to_angles_with_landmarks", "rotate_to_pose"]
    assert sorted(signatures) == [*expected, "serving_default"]
    for yaw, pitch in ((30.0, None), (None, -10.0), (20.0, 5.0)):
        arguments = argparse.Namespace(signature=None, target_yaw=yaw, target_pitch=pitch)
        assert choose_signature(arguments, signatures) == "rotate_to_angles"
    arguments = argparse.Namespace(signature=None, target_yaw=None, target_pitch=None)
    assert choose_signature(arguments, signatures) == "serving_default"

    class Signature:
        name = "rotate_to_angles"
        inputs = {
            "target_yaw": tf.TensorSpec([None], tf.float32),
            "target_pitch": tf.TensorSpec([None], tf.float32),
        }

    arguments = argparse.Namespace(
        input=[], mask=[], input_array=[], target_yaw=None, target_pitch=-10.0
    )
    prepared = build_inputs(arguments, Signature())
    assert prepared.arrays["target_pitch"].tolist() == [-10.0]
    assert prepared.arrays["target_yaw"].tolist() == [0.0]
    Signature.inputs = {"target_yaw": tf.TensorSpec([None], tf.float32)}
    with pytest.raises(ValueError, match="no 'target_pitch' input"):
        build_inputs(arguments, Signature())
