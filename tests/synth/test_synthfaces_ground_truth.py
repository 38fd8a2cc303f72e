"""SynthFaces ground truth agrees with its own geometry (labels, landmarks, UV, occluders)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11
from tfface.synth import SynthFaces
from tfface.synth.landmarks import LEFT_EYE, RIGHT_EYE

IDENTITIES = range(6)


@pytest.fixture(scope="module")
def generator() -> SynthFaces:
    return SynthFaces(seed=0, image_size=256, uv_size=256)


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("yaw", [0.0, -25.0, 25.0])
def test_eye_landmarks_fall_inside_their_eye_label(
    generator: SynthFaces, identity: int, yaw: float
) -> None:
    sample = generator.sample(identity, yaw=yaw)
    labels = sample["label_map_11"]
    for indices, label in (
        (RIGHT_EYE, PORTRAIT_11.index("r_eye")),
        (LEFT_EYE, PORTRAIT_11.index("l_eye")),
    ):
        points = sample["landmarks"][list(indices)]
        for x, y, _ in points:
            assert labels[int(round(y)), int(round(x))] == label, (identity, yaw, x, y)


def test_subject_left_eye_is_on_the_image_right_in_a_frontal_view(generator: SynthFaces) -> None:
    labels = generator.sample(0)["label_map_11"]
    left_columns = np.nonzero(labels == PORTRAIT_11.index("l_eye"))[1]
    right_columns = np.nonzero(labels == PORTRAIT_11.index("r_eye"))[1]
    assert left_columns.mean() > labels.shape[1] / 2 > right_columns.mean()


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_portrait_class_appears_on_a_frontal_face(
    generator: SynthFaces, identity: int
) -> None:
    labels = generator.sample(identity)["label_map_11"]
    assert set(np.unique(labels).tolist()) == set(range(PORTRAIT_11.num_classes))


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("yaw", [0.0, 60.0, -90.0])
def test_only_background_neck_and_cloth_outside_face_and_hair(
    generator: SynthFaces, identity: int, yaw: float
) -> None:
    sample = generator.sample(identity, yaw=yaw)
    face = sample["face_mask"]
    hair = sample["label_map_11"] == PORTRAIT_11.index("hair")
    outside = sample["label_map_19"][~(face | hair)]
    allowed = {CELEBAMASK_HQ_19.index(name) for name in ("background", "neck", "cloth")}
    assert set(np.unique(outside).tolist()) <= allowed
    # The visible head surface is face; what is face but not head surface is the identity's glasses.
    assert not np.any(sample["visibility"] & ~face)
    glasses = sample["label_map_19"] == CELEBAMASK_HQ_19.index("eye_g")
    assert not np.any(face & ~sample["visibility"] & ~glasses)
    assert np.all(sample["uv_coords"][~sample["visibility"]] == 0)


@pytest.mark.parametrize("yaw", [0.0, 30.0, 60.0])
def test_uv_texture_sampled_at_uv_coords_reproduces_the_albedo(
    generator: SynthFaces, yaw: float
) -> None:
    sample = generator.sample(2, yaw=yaw)
    visible = sample["visibility"]
    texture = sample["uv_texture"].astype(np.float64)
    size = texture.shape[0] - 1
    u, v = sample["uv_coords"][visible].T
    expected = np.stack(
        [
            ndimage.map_coordinates(texture[..., c], [v * size, u * size], order=1, mode="nearest")
            for c in range(3)
        ],
        axis=1,
    )
    difference = np.abs(expected - sample["albedo"][visible].astype(np.float64))
    assert visible.sum() > 5000
    assert difference.mean() < 0.6
    assert np.percentile(difference, 99.9) <= 1.0


@pytest.mark.parametrize("yaw", [0.0, 30.0, -30.0])
def test_visible_landmarks_map_to_their_own_texture_coordinates(
    generator: SynthFaces, yaw: float
) -> None:
    identity = 3
    sample = generator.sample(identity, yaw=yaw)
    landmark_uv = generator.landmark_uv(identity)
    # Brows, eyes and outer lips: on smooth, front-facing surface at +-30 degrees.
    checked = 0
    for index in [*range(17, 27), *range(36, 60)]:
        x, y, _ = sample["landmarks"][index]
        row, column = int(round(y)), int(round(x))
        window = (slice(row - 1, row + 2), slice(column - 1, column + 2))
        visible = sample["visibility"][window]
        if not visible.all():
            continue
        distances = np.abs(sample["uv_coords"][window][visible] - landmark_uv[index]).max(axis=-1)
        # The landmark lies within a pixel of its surface point: some neighbour is within one pixel's texels.
        assert distances.min() < 0.008, (index, distances.min())
        checked += 1
    assert checked >= 25


def _far_cheek_coverage(generator: SynthFaces, identity: int, yaw: float) -> float:
    params = generator.identity_params(identity)
    sample = generator.sample(identity, yaw=yaw)
    u, v = sample["uv_coords"][sample["visibility"]].T
    from tfface.synth.head import phi_to_v, theta_to_u

    u_range = theta_to_u(np.array([0.75, 1.1]))
    v_range = phi_to_v(np.array([params.eye_phi - 0.2, params.mouth_phi]))
    texels = 8
    hits = np.zeros((texels, texels), dtype=bool)
    inside = (u >= u_range[0]) & (u <= u_range[1]) & (v >= v_range[0]) & (v <= v_range[1])
    rows = ((v[inside] - v_range[0]) / (v_range[1] - v_range[0]) * (texels - 1)).astype(int)
    columns = ((u[inside] - u_range[0]) / (u_range[1] - u_range[0]) * (texels - 1)).astype(int)
    hits[rows, columns] = True
    return float(hits.mean())


def test_far_cheek_is_largely_hidden_at_yaw_60(generator: SynthFaces) -> None:
    # yaw > 0 turns the face to the image's right, so the subject's left cheek (u > 0.5) turns away.
    frontal = _far_cheek_coverage(generator, 4, 0.0)
    turned = _far_cheek_coverage(generator, 4, 60.0)
    assert frontal > 0.6
    assert turned < 0.5 * frontal


@pytest.mark.parametrize(
    "occluder", ["sunglasses", "eyeglasses", "medical_mask", "hand", "scarf", "hat", "microphone"]
)
@pytest.mark.parametrize("domain", ["rgb", "nir", "painting", "mask_texture"])
def test_occluded_image_equals_unoccluded_outside_the_mask(occluder: str, domain: str) -> None:
    generator = SynthFaces(seed=1, image_size=96, uv_size=96)
    sample = generator.sample(1, yaw=-20.0, domain=domain, occluder=occluder)
    mask = sample["occlusion_mask"]
    assert mask.dtype == bool and mask.shape == (96, 96)
    assert 0.002 < mask.mean() < 0.6
    assert np.array_equal(sample["image"][~mask], sample["image_unoccluded"][~mask])
    assert np.any(sample["image"][mask] != sample["image_unoccluded"][mask])
    plain = generator.sample(1, yaw=-20.0, domain=domain)
    assert np.array_equal(plain["image"], sample["image_unoccluded"])


@pytest.mark.parametrize(
    ("occluder", "landmarks"),
    [("sunglasses", [37, 38, 43, 44]), ("medical_mask", [51, 57, 62]), ("scarf", [8])],
)
def test_occluders_cover_what_they_should(
    generator: SynthFaces, occluder: str, landmarks: list[int]
) -> None:
    sample = generator.sample(5, occluder=occluder)
    for index in landmarks:
        x, y, _ = sample["landmarks"][index]
        assert sample["occlusion_mask"][int(round(y)), int(round(x))], (occluder, index)


def test_open_mouth_shows_more_mouth_and_separates_the_inner_lips(generator: SynthFaces) -> None:
    mouth = PORTRAIT_11.index("mouth")
    closed = generator.sample(1, expression="neutral")
    opened = generator.sample(1, expression="mouth_open")
    assert (opened["label_map_11"] == mouth).sum() > 5 * (closed["label_map_11"] == mouth).sum()
    gap = lambda sample: sample["landmarks"][66, 1] - sample["landmarks"][62, 1]  # noqa: E731
    assert gap(opened) > gap(closed) + 5
    smile = generator.sample(1, expression="smile")
    corners = lambda sample: sample["landmarks"][[48, 54], 1].mean()  # noqa: E731
    assert corners(smile) < corners(closed) - 1  # corners move up (smaller y)
