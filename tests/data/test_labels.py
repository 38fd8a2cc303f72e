"""Tests for tfface.data.labels: class tables, fusion, 19 -> 11 mapping and helpers."""

import numpy as np
import pytest

from tfface.data.labels import (
    CELEBAMASK_HQ_19,
    FUSION_ORDER_19,
    HAIR_11,
    LEFT_EYE_11,
    MAP_19_TO_11,
    MOUTH_COMPONENT_11,
    PORTRAIT_11,
    RIGHT_EYE_11,
    SKIN_COMPONENT_11,
    LabelTable,
    colorize,
    fuse_part_masks,
    map_19_to_11,
    one_hot,
    validate_label_map,
)

NAMES_19 = (
    "background skin nose eye_g l_eye r_eye l_brow r_brow l_ear r_ear "
    "mouth u_lip l_lip hair hat ear_r neck_l neck cloth"
).split()
NAMES_11 = "background skin l_brow r_brow l_eye r_eye nose u_lip mouth l_lip hair".split()


def test_table_sizes_and_names() -> None:
    assert CELEBAMASK_HQ_19.num_classes == 19
    assert list(CELEBAMASK_HQ_19.names) == NAMES_19
    assert PORTRAIT_11.num_classes == 11
    assert list(PORTRAIT_11.names) == NAMES_11
    assert FUSION_ORDER_19 == tuple(NAMES_19[1:])
    for table in (CELEBAMASK_HQ_19, PORTRAIT_11):
        assert len(set(table.colors)) == table.num_classes
        for label, name in enumerate(table.names):
            assert table.index(name) == label


def test_index_unknown_name_raises() -> None:
    with pytest.raises(ValueError, match="no class 'ear'"):
        PORTRAIT_11.index("ear")


def test_label_table_rejects_bad_definitions() -> None:
    with pytest.raises(ValueError, match="colors"):
        LabelTable("t", ("a", "b"), ((0, 0, 0),))
    with pytest.raises(ValueError, match="distinct"):
        LabelTable("t", ("a", "b"), ((0, 0, 0), (0, 0, 0)))
    with pytest.raises(ValueError, match="unique"):
        LabelTable("t", ("a", "a"), ((0, 0, 0), (1, 1, 1)))


def test_component_constants() -> None:
    assert [PORTRAIT_11.names[i] for i in SKIN_COMPONENT_11] == ["skin", "l_brow", "r_brow", "nose"]
    assert [PORTRAIT_11.names[i] for i in MOUTH_COMPONENT_11] == ["u_lip", "mouth", "l_lip"]
    assert PORTRAIT_11.names[LEFT_EYE_11[0]] == "l_eye"
    assert PORTRAIT_11.names[RIGHT_EYE_11[0]] == "r_eye"
    assert PORTRAIT_11.names[HAIR_11[0]] == "hair"


def _masks(shape: tuple[int, int], *names: str) -> dict[str, np.ndarray]:
    return {name: np.ones(shape, dtype=bool) for name in names}


def test_fusion_later_parts_win() -> None:
    shape = (2, 3)
    index = CELEBAMASK_HQ_19.index
    assert np.all(fuse_part_masks(_masks(shape, "hair", "nose", "skin"), shape) == index("hair"))
    assert np.all(fuse_part_masks(_masks(shape, "l_eye", "skin"), shape) == index("l_eye"))
    assert np.all(fuse_part_masks(_masks(shape, "l_eye", "eye_g"), shape) == index("l_eye"))


def test_fusion_partial_overlap_and_background() -> None:
    skin = np.zeros((4, 4), dtype=np.uint8)
    skin[:, :2] = 255
    nose = np.zeros((4, 4), dtype=bool)
    nose[1, 1] = nose[1, 2] = True
    label_map = fuse_part_masks({"skin": skin, "nose": nose}, (4, 4))
    assert label_map.dtype == np.uint8
    expected = np.zeros((4, 4), dtype=np.uint8)
    expected[:, :2] = 1
    expected[1, 1] = expected[1, 2] = 2
    np.testing.assert_array_equal(label_map, expected)
    np.testing.assert_array_equal(fuse_part_masks({}, (2, 2)), np.zeros((2, 2), np.uint8))


def test_fusion_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown part names \\['eyebrow'\\]"):
        fuse_part_masks(_masks((2, 2), "skin", "eyebrow"), (2, 2))
    with pytest.raises(ValueError, match="background"):
        fuse_part_masks(_masks((2, 2), "background"), (2, 2))
    with pytest.raises(ValueError, match="'nose' has shape \\(3, 2\\), expected \\(2, 2\\)"):
        fuse_part_masks({"nose": np.ones((3, 2), bool)}, (2, 2))


EXPECTED_19_TO_11 = {
    "background": "background",
    "skin": "skin",
    "nose": "nose",
    "eye_g": "skin",
    "l_eye": "l_eye",
    "r_eye": "r_eye",
    "l_brow": "l_brow",
    "r_brow": "r_brow",
    "l_ear": "skin",
    "r_ear": "skin",
    "mouth": "mouth",
    "u_lip": "u_lip",
    "l_lip": "l_lip",
    "hair": "hair",
    "hat": "hair",
    "ear_r": "background",
    "neck_l": "background",
    "neck": "background",
    "cloth": "background",
}


@pytest.mark.parametrize("name_19", NAMES_19)
def test_map_19_to_11_every_class(name_19: str) -> None:
    label_19 = CELEBAMASK_HQ_19.index(name_19)
    expected = PORTRAIT_11.index(EXPECTED_19_TO_11[name_19])
    assert MAP_19_TO_11[label_19] == expected
    mapped = map_19_to_11(np.full((2, 2), label_19, dtype=np.uint8))
    assert mapped.dtype == np.uint8 and mapped.shape == (2, 2)
    assert np.all(mapped == expected)


def test_map_table_unknown_values() -> None:
    assert MAP_19_TO_11.dtype == np.uint8 and MAP_19_TO_11.shape == (256,)
    assert np.all(MAP_19_TO_11[19:] == 255)
    assert not MAP_19_TO_11.flags.writeable


def test_map_19_to_11_rejects_invalid_values() -> None:
    with pytest.raises(ValueError, match="\\[19, 200\\]"):
        map_19_to_11(np.array([[0, 19], [200, 3]], dtype=np.uint8))
    with pytest.raises(ValueError, match="\\[-1\\]"):
        map_19_to_11(np.array([[-1, 0]], dtype=np.int32))
    with pytest.raises(ValueError, match="integer dtype"):
        map_19_to_11(np.zeros((2, 2), dtype=np.float32))


def test_colorize() -> None:
    label_map = np.array([[0, 1], [10, 4]], dtype=np.uint8)
    image = colorize(label_map)
    assert image.dtype == np.uint8 and image.shape == (2, 2, 3)
    for (row, column), label in np.ndenumerate(label_map):
        assert tuple(image[row, column]) == PORTRAIT_11.colors[label]
    image_19 = colorize(np.array([[18]], dtype=np.int64), CELEBAMASK_HQ_19)
    assert tuple(image_19[0, 0]) == CELEBAMASK_HQ_19.colors[18]


def test_colorize_invalid_input() -> None:
    with pytest.raises(ValueError, match="outside"):
        colorize(np.array([[11]], dtype=np.uint8))
    with pytest.raises(ValueError, match="2-D"):
        colorize(np.zeros((2, 2, 1), dtype=np.uint8))
    with pytest.raises(ValueError, match="integer dtype"):
        colorize(np.zeros((2, 2), dtype=np.float64))


def test_one_hot() -> None:
    rng = np.random.default_rng(0)
    label_map = rng.integers(0, PORTRAIT_11.num_classes, size=(5, 7)).astype(np.uint8)
    encoded = one_hot(label_map, PORTRAIT_11)
    assert encoded.dtype == np.float32 and encoded.shape == (5, 7, 11)
    np.testing.assert_array_equal(encoded.sum(axis=-1), np.ones((5, 7), np.float32))
    np.testing.assert_array_equal(encoded.argmax(axis=-1), label_map)
    with pytest.raises(ValueError):
        one_hot(np.array([[11]], dtype=np.uint8), PORTRAIT_11)


def test_validate_label_map() -> None:
    validate_label_map(np.zeros((3, 3), dtype=np.uint8), PORTRAIT_11)
    with pytest.raises(ValueError, match="integer dtype, got bool"):
        validate_label_map(np.zeros((3, 3), dtype=bool), PORTRAIT_11)
    with pytest.raises(ValueError, match="shape \\(3,\\)"):
        validate_label_map(np.zeros(3, dtype=np.uint8), PORTRAIT_11)
    with pytest.raises(ValueError, match="\\[11\\].*0..10"):
        validate_label_map(np.full((2, 2), 11, dtype=np.uint8), PORTRAIT_11)
