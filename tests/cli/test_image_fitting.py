"""tfface.data.image_fitting: one size policy (centre crop + resize, or MTCNN alignment)."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.data.image_fitting import SizePolicy


def test_centre_crop_then_resize_and_says_so() -> None:
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, 8:56] = 200  # the centred 48 x 48 square
    fitted = SizePolicy().fit_picture(image, (16, 16), "face.png")
    assert fitted.array.shape == (16, 16, 3)
    assert (fitted.array == 200).all()  # the side bands were cropped, nothing stretched
    assert fitted.description == "face.png: 64x48 -> centre crop 48x48 -> resized to 16x16"


def test_label_maps_follow_with_nearest_neighbour() -> None:
    labels = (np.arange(60)[None, :] // 6).repeat(40, axis=0).astype(np.uint8)  # (40, 60)
    policy = SizePolicy()
    picture = policy.fit_picture(np.zeros((40, 60, 3), np.uint8), (20, 20), "a.png")
    fitted = policy.fit_map(labels, (20, 20), "a_mask.png", picture)
    assert fitted.array.shape == (20, 20) and fitted.array.dtype == np.uint8
    assert set(np.unique(fitted.array)) <= set(np.unique(labels[:, 10:50]))  # no blended labels
    assert fitted.description == "a_mask.png: 60x40 -> centre crop 40x40 -> resized to 20x20"


def test_model_size_and_any_size() -> None:
    image = np.zeros((8, 8, 3), np.uint8)
    assert SizePolicy().fit_picture(image, (8, 8), "a.png").description == (
        "a.png: 8x8, the model's size: used as is"
    )
    fitted = SizePolicy().fit_picture(np.zeros((6, 10, 3), np.uint8), None, "b.png")
    assert fitted.array.shape == (6, 6, 3)
    assert fitted.description == "b.png: 10x6 -> centre crop 6x6 (the model takes any size)"


def test_align_finds_the_face_and_maps_follow() -> None:
    from skimage import data

    photo = data.astronaut()[:, 40:]  # 472 x 512, not square
    policy = SizePolicy(align=True)
    fitted = policy.fit_picture(photo, (64, 64), "astronaut.png")
    assert fitted.array.shape == (64, 64, 3)
    assert "face aligned (MTCNN" in fitted.description and fitted.description.endswith("64x64")
    labels = np.zeros(photo.shape[:2], np.uint8)
    labels[:, : photo.shape[1] // 2] = 3
    mask = policy.fit_map(labels, (64, 64), "mask.png", fitted)
    assert mask.array.shape == (64, 64) and set(np.unique(mask.array)) <= {0, 3}
    assert "aligned with astronaut.png" in mask.description
    with pytest.raises(ValueError, match="found no face"):
        policy.fit_picture(np.full((80, 80, 3), 128, np.uint8), (64, 64), "flat.png")
    with pytest.raises(ValueError, match="is 10x10 but its picture astronaut.png is 472x512"):
        policy.fit_map(np.zeros((10, 10), np.uint8), (64, 64), "small.png", fitted)
