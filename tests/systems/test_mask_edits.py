"""Label-map edits of the mask-guided system (`replace_component`)."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.systems.mask_guided.mask_edits import replace_component

HAIR, SKIN, BACKGROUND, L_EYE, MOUTH, U_LIP = 10, 1, 0, 4, 8, 7


def test_hair_comes_from_the_donor_and_old_hair_becomes_background() -> None:
    mask = np.zeros((6, 6), np.uint8)
    mask[2:5, 2:5] = SKIN
    mask[3, 3] = L_EYE
    mask[0, :] = HAIR
    donor = np.zeros((6, 6), np.uint8)
    donor[:, 0] = HAIR
    donor[3, 3] = HAIR  # would cover the eye: never drawn over other parts
    edited = replace_component(mask, donor, "hair")
    expected = mask.copy()
    expected[0, :] = BACKGROUND
    expected[:, 0] = HAIR
    np.testing.assert_array_equal(edited, expected)
    assert edited.dtype == np.uint8


def test_mouth_edit_fills_the_old_mouth_with_skin() -> None:
    mask = np.full((5, 5), SKIN, np.uint8)
    mask[3, 1:4] = MOUTH
    donor = np.full((5, 5), SKIN, np.uint8)
    donor[2:4, 2] = U_LIP
    edited = replace_component(mask, donor, "mouth")
    expected = np.full((5, 5), SKIN, np.uint8)
    expected[2:4, 2] = U_LIP
    np.testing.assert_array_equal(edited, expected)


@pytest.mark.parametrize(
    ("mask", "donor", "component", "message"),
    [
        (np.zeros((4, 4)), np.zeros((4, 4)), "nose", "component must be one of"),
        (np.zeros((4, 4)), np.zeros((5, 5)), "hair", "differ in size"),
        (np.full((4, 4), 11), np.zeros((4, 4)), "hair", "outside"),
        (np.zeros((1, 4, 4)), np.zeros((4, 4)), "hair", r"\(S, S\) label map"),
    ],
)
def test_bad_input_is_rejected(mask, donor, component, message) -> None:
    with pytest.raises(ValueError, match=message):
        replace_component(mask, donor, component)
