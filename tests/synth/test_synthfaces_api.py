"""SynthFaces API: outputs, determinism, domains and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.synth import SynthFaces


@pytest.fixture(scope="module")
def generator() -> SynthFaces:
    return SynthFaces(seed=0, image_size=64, uv_size=48)


def test_outputs_have_the_documented_shapes_and_types(generator: SynthFaces) -> None:
    sample = generator.sample(0, yaw=10.0, pitch=5.0, roll=-5.0)
    expected = {
        "image": ((64, 64, 3), np.uint8),
        "label_map_19": ((64, 64), np.uint8),
        "label_map_11": ((64, 64), np.uint8),
        "landmarks": ((68, 3), np.float32),
        "uv_coords": ((64, 64, 2), np.float32),
        "visibility": ((64, 64), np.bool_),
        "uv_texture": ((48, 48, 3), np.uint8),
        "albedo": ((64, 64, 3), np.uint8),
        "face_mask": ((64, 64), np.bool_),
        "pose": ((3,), np.float32),
    }
    assert set(sample) == set(expected)
    for key, (shape, dtype) in expected.items():
        assert sample[key].shape == shape, key
        assert sample[key].dtype == dtype, key
    assert sample["label_map_19"].max() < 19 and sample["label_map_11"].max() < 11
    uv = sample["uv_coords"][sample["visibility"]]
    assert uv.min() >= 0.0 and uv.max() <= 1.0
    np.testing.assert_array_equal(sample["pose"], [10.0, 5.0, -5.0])


def test_same_seed_same_bytes_in_a_fresh_generator() -> None:
    first = SynthFaces(seed=3, image_size=64, uv_size=64).sample(
        7, yaw=30.0, domain="nir", occluder="hand", expression="smile"
    )
    second = SynthFaces(seed=3, image_size=64, uv_size=64).sample(
        7, yaw=30.0, domain="nir", occluder="hand", expression="smile"
    )
    assert set(first) == set(second)
    for key in first:
        assert first[key].tobytes() == second[key].tobytes(), key


def test_different_identities_and_seeds_differ(generator: SynthFaces) -> None:
    images = [generator.sample(identity)["image"] for identity in range(4)]
    for a in range(4):
        for b in range(a + 1, 4):
            assert np.abs(images[a].astype(int) - images[b].astype(int)).mean() > 5
    other_seed = SynthFaces(seed=1, image_size=64, uv_size=48).sample(0)["uv_texture"]
    assert not np.array_equal(other_seed, generator.sample(0)["uv_texture"])


def test_texture_has_detail_not_flat_fills(generator: SynthFaces) -> None:
    from tfface.synth.head import phi_to_v, theta_to_u

    texture = SynthFaces(seed=0, image_size=64, uv_size=256).uv_texture(0).astype(np.float64)
    row, column = (
        int(phi_to_v(-0.3) * 255),
        int(theta_to_u(-0.7) * 255),
    )  # the subject's right cheek
    skin_patch = texture[row - 10 : row + 10, column - 10 : column + 10]
    assert skin_patch.std(axis=(0, 1)).mean() > 2.0
    assert len(np.unique(skin_patch.reshape(-1, 3), axis=0)) > 100
    assert (skin_patch == 255).mean() < 0.02  # barely saturated


def test_domains(generator: SynthFaces) -> None:
    rgb = generator.sample(1, domain="rgb")["image"]
    nir = generator.sample(1, domain="nir")["image"]
    codes = generator.sample(1, domain="mask_texture")["image"]
    painting = generator.sample(1, domain="painting")["image"]
    assert nir.shape == (64, 64, 1)
    colours = {tuple(c) for c in codes.reshape(-1, 3)}
    assert {(255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 0)} <= colours
    assert len(colours) <= 8
    assert painting.shape == rgb.shape and np.abs(painting.astype(int) - rgb.astype(int)).mean() > 5
    correlation = np.corrcoef(painting.mean(axis=-1).ravel(), rgb.mean(axis=-1).ravel())[0, 1]
    assert correlation > 0.4
    # Geometry ground truth does not depend on the domain.
    a, b = generator.sample(1, domain="rgb"), generator.sample(1, domain="nir")
    for key in ("label_map_19", "uv_coords", "landmarks", "face_mask"):
        np.testing.assert_array_equal(a[key], b[key])


def test_pupils_are_dark_and_skin_bright_in_nir() -> None:
    generator = SynthFaces(seed=0, image_size=256, uv_size=256)
    sample = generator.sample(0, domain="nir")
    image = sample["image"][..., 0].astype(float)
    skin = image[sample["label_map_11"] == 1].mean()
    centres = [
        sample["landmarks"][36:42, :2].mean(axis=0),
        sample["landmarks"][42:48, :2].mean(axis=0),
    ]
    for x, y in centres:
        pupil = image[
            int(round(y)) - 2 : int(round(y)) + 3, int(round(x)) - 2 : int(round(x)) + 3
        ].min()
        assert pupil < 0.4 * skin
    assert skin > 120


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"identity": -1}, "identity"),
        ({"identity": 1.5}, "identity"),
        ({"identity": 0, "yaw": 91.0}, "yaw"),
        ({"identity": 0, "pitch": -70.0}, "pitch"),
        ({"identity": 0, "roll": float("nan")}, "roll"),
        ({"identity": 0, "domain": "thermal"}, "domain"),
        ({"identity": 0, "occluder": "umbrella"}, "occluder"),
        ({"identity": 0, "expression": "angry"}, "expression"),
        ({"identity": 0, "expression": {"smile": 2.0}}, "smile"),
        ({"identity": 0, "expression": {"frown": 1.0}}, "frown"),
    ],
)
def test_bad_input_is_rejected_clearly(generator: SynthFaces, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generator.sample(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"seed": -1}, ValueError),
        ({"image_size": 8}, ValueError),
        ({"uv_size": 4}, ValueError),
        ({"image_size": 64.0}, TypeError),
        ({"scene_per_pose": "no"}, TypeError),
    ],
)
def test_bad_constructor_arguments(kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        SynthFaces(**kwargs)


def test_yaw_turns_the_nose_to_the_image_right(generator: SynthFaces) -> None:
    nose_tip = 30
    frontal = generator.sample(0)["landmarks"][nose_tip, 0]
    turned = generator.sample(0, yaw=40.0)["landmarks"][nose_tip, 0]
    assert turned > frontal + 5


def far_background(*samples: dict) -> np.ndarray:
    """bool (H, W): background (label 0) in every sample, with no other label within 6 pixels."""
    background = np.logical_and.reduce([sample["label_map_19"] == 0 for sample in samples])
    radius = 6
    padded = np.pad(background, radius, constant_values=True)  # beyond the border: no head
    windows = np.lib.stride_tricks.sliding_window_view(padded, (2 * radius + 1,) * 2)
    return windows.all(axis=(-2, -1))  # (H, W)


@pytest.mark.parametrize("domain", ["rgb", "nir", "painting"])
def test_shared_scene_gives_every_pose_one_background(domain: str) -> None:
    views = {}
    for scene_per_pose in (True, False):
        generator = SynthFaces(seed=0, image_size=64, uv_size=32, scene_per_pose=scene_per_pose)
        views[scene_per_pose] = [
            generator.sample(identity, yaw=yaw, domain=domain, expression="smile")
            for identity in (0, 1)
            for yaw in (0.0, 45.0)
        ]
    for per_pose, shared in zip(views[True][::2], views[False][::2], strict=True):
        # the head and its ground truth do not depend on the option
        assert per_pose["label_map_19"].tobytes() == shared["label_map_19"].tobytes()
    for identity in (0, 1):
        frontal, turned = views[False][2 * identity : 2 * identity + 2]
        far = far_background(frontal, turned)
        assert far.sum() > 500  # of 64 x 64 pixels
        np.testing.assert_array_equal(frontal["image"][far], turned["image"][far])
        assert not np.array_equal(frontal["image"], turned["image"])  # the head turned
        frontal, turned = views[True][2 * identity : 2 * identity + 2]
        difference = np.abs(frontal["image"][far].astype(int) - turned["image"][far].astype(int))
        assert difference.mean() > 5  # per pose: a new background for every view
    # identities still get their own scenes
    first, second = views[False][0], views[False][2]
    far = far_background(first, second)
    assert np.abs(first["image"][far].astype(int) - second["image"][far]).mean() > 5


def test_scene_per_pose_is_the_default() -> None:
    assert SynthFaces(seed=0, image_size=32, uv_size=16).scene_per_pose is True
    default = SynthFaces(seed=2, image_size=32, uv_size=16).sample(3, yaw=20.0)["image"]
    explicit = SynthFaces(seed=2, image_size=32, uv_size=16, scene_per_pose=True)
    assert default.tobytes() == explicit.sample(3, yaw=20.0)["image"].tobytes()
