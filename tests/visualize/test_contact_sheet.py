"""Tests for tfface.visualize.contact_sheet."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tfface.visualize import contact_sheet, save_contact_sheet

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)


def solid(color: tuple[int, int, int], size: int = 16) -> np.ndarray:
    return np.broadcast_to(np.array(color, np.uint8), (size, size, 3)).copy()


def bounding_box(sheet: np.ndarray, color: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) inclusive of the pixels of exactly `color`."""
    ys, xs = np.nonzero(np.all(sheet == np.array(color, np.uint8), axis=-1))
    assert ys.size, f"colour {color} not found"
    return int(ys.min()), int(xs.min()), int(ys.max()), int(xs.max())


def test_shape_grows_with_rows_and_columns() -> None:
    one = contact_sheet([[solid(RED)]], padding=4)
    assert one.dtype == np.uint8 and one.shape == (4 + 20, 4 + 20, 3)
    wide = contact_sheet([[solid(RED), solid(GREEN), solid(BLUE)]], padding=4)
    assert wide.shape == (24, 4 + 3 * 20, 3)
    tall = contact_sheet([[solid(RED)], [solid(GREEN)]], padding=4)
    assert tall.shape == (4 + 2 * 20, 24, 3)


def test_cells_land_at_expected_positions() -> None:
    sheet = contact_sheet([[solid(RED), solid(GREEN)], [solid(BLUE), None]], padding=4)
    pitch = 16 + 4
    for (row, column), color in {(0, 0): RED, (0, 1): GREEN, (1, 0): BLUE}.items():
        top, left = 4 + row * pitch, 4 + column * pitch
        assert bounding_box(sheet, color) == (top, left, top + 15, left + 15)
    blank = sheet[4 + pitch : 4 + pitch + 16, 4 + pitch : 4 + pitch + 16]
    assert np.all(blank == 255)
    assert np.all(sheet[:4] == 255) and np.all(sheet[:, :4] == 255)


def test_custom_background() -> None:
    sheet = contact_sheet([[None, solid(RED)]], cell_size=16, padding=2, background=(10, 20, 30))
    assert tuple(sheet[0, 0]) == (10, 20, 30)
    assert tuple(sheet[2 + 8, 2 + 8]) == (10, 20, 30)
    assert tuple(sheet[2 + 8, 2 + 18 + 8]) == RED


def test_mixed_inputs_are_resized_to_the_largest_side() -> None:
    mask = np.zeros((8, 8), dtype=bool)
    mask[:4] = True
    gray = np.full((32, 32), 100, dtype=np.uint8)
    single_channel = np.full((16, 16, 1), 200, dtype=np.uint8)
    floats = np.full((32, 32, 3), 0.5, dtype=np.float32)
    sheet = contact_sheet([[mask, gray], [single_channel, floats]], padding=0)
    assert sheet.shape == (64, 64, 3)
    np.testing.assert_array_equal(sheet[:16, :32], 255)  # mask top half, nearest upsampled
    np.testing.assert_array_equal(sheet[16:32, :32], 0)
    np.testing.assert_array_equal(sheet[:32, 32:], 100)
    np.testing.assert_array_equal(sheet[32:, :32], 200)
    np.testing.assert_array_equal(sheet[32:, 32:], 128)


def test_non_square_cell_keeps_aspect_ratio_and_is_centred() -> None:
    strip = np.broadcast_to(np.array(RED, np.uint8), (8, 16, 3)).copy()
    sheet = contact_sheet([[strip]], cell_size=32, padding=0)
    assert sheet.shape == (32, 32, 3)
    assert bounding_box(sheet, RED) == (8, 0, 23, 31)


def test_ragged_rows_leave_blank_cells() -> None:
    sheet = contact_sheet([[solid(RED), solid(GREEN)], [solid(BLUE)]], padding=4)
    assert sheet.shape == (44, 44, 3)


def test_labels_add_space_and_text() -> None:
    rows = [[solid(RED, 32), solid(GREEN, 32)], [solid(BLUE, 32), solid(YELLOW, 32)]]
    plain = contact_sheet(rows, padding=4)
    labelled = contact_sheet(
        rows,
        row_labels=["input", "a very long row label that has to be wrapped and truncated"],
        column_labels=["source", "result with an extremely long column title"],
        padding=4,
    )
    assert labelled.shape[0] > plain.shape[0] and labelled.shape[1] > plain.shape[1]
    red, green = bounding_box(labelled, RED), bounding_box(labelled, GREEN)
    blue, yellow = bounding_box(labelled, BLUE), bounding_box(labelled, YELLOW)
    assert red[2] - red[0] == 31 and red[3] - red[1] == 31
    assert red[1] > 4 and red[0] > 4  # shifted right/down by the labels
    assert green[0] == red[0] and green[1] == red[1] + 36
    assert blue[1] == red[1] and blue[0] == red[0] + 36
    assert yellow == (blue[0], green[1], blue[2], green[3])
    # text was drawn in the header band and in the label column
    assert np.any(labelled[: red[0], red[1] :] < 128)
    assert np.any(labelled[red[0] :, : red[1]] < 128)
    # label column stays bounded despite the long label
    assert red[1] <= 4 + max(32, 96) + 4


def test_save_contact_sheet(tmp_path: Path) -> None:
    path = save_contact_sheet(tmp_path / "nested" / "dir" / "sheet.png", [[solid(RED)]])
    assert path.is_file()
    with Image.open(path) as image:
        assert image.format == "PNG"
        np.testing.assert_array_equal(np.asarray(image), contact_sheet([[solid(RED)]]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": []}, "at least one row"),
        ({"rows": [[solid(RED)], []]}, "row 1 is empty"),
        ({"rows": [solid(RED)]}, "single array"),
        ({"rows": [[np.zeros((2, 2, 2, 3), np.uint8)]]}, "2-D .* or 3-D"),
        ({"rows": [[np.zeros(5, np.uint8)]]}, "2-D .* or 3-D"),
        ({"rows": [[np.zeros((4, 4, 4), np.uint8)]]}, "4 channels"),
        ({"rows": [[np.full((4, 4, 3), 2.0)]]}, "\\[0, 1\\]"),
        ({"rows": [[np.full((4, 4), 300, np.int32)]]}, "0..255"),
        ({"rows": [["not an image"]]}, "numpy array or None"),
        ({"rows": [[None]]}, "all cells are None"),
        ({"rows": [[solid(RED)]], "row_labels": ["a", "b"]}, "2 row_labels for 1 rows"),
        ({"rows": [[solid(RED), None]], "column_labels": ["a"]}, "1 column_labels for 2"),
        ({"rows": [[solid(RED)]], "row_labels": "a"}, "single string"),
        ({"rows": [[solid(RED)]], "padding": -1}, "padding"),
        ({"rows": [[solid(RED)]], "cell_size": 0}, "cell_size"),
    ],
)
def test_bad_inputs_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        contact_sheet(**kwargs)
