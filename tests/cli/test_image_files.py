"""tfface.data.image_files: the one reader of user picture files (predict, edit)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from picture_files import (
    noise_image,
    stripes_label_map,
    write_not_an_image,
    write_png,
    write_truncated_png,
)
from PIL import Image

from tfface.data.image_files import (
    ImageFileError,
    read_gray_image,
    read_label_map,
    read_rgb_image,
)


def test_reads_rgb_from_any_mode(tmp_path: Path) -> None:
    image = noise_image(6, 10)
    np.testing.assert_array_equal(read_rgb_image(write_png(tmp_path / "a.png", image)), image)
    gray = image[..., 0]
    rgb = read_rgb_image(write_png(tmp_path / "g.png", gray))
    assert rgb.shape == (6, 10, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[..., 2], gray)


@pytest.mark.parametrize("reader", [read_rgb_image, read_label_map, read_gray_image])
def test_broken_files_give_one_line_errors(tmp_path: Path, reader) -> None:
    cases = {
        write_not_an_image(tmp_path / "text.png"): "not a readable image",
        write_truncated_png(tmp_path / "cut.png", noise_image(64, 64)): "truncated",
        tmp_path / "missing.png": "no such file",
        tmp_path: "is a folder",
    }
    for path, expected in cases.items():
        with pytest.raises(ImageFileError, match=expected) as error:
            reader(path, what="--thing")
        message = str(error.value)
        assert message.startswith(f"--thing {path}: ") and "\n" not in message
        assert isinstance(error.value, ValueError)  # `tfface` turns it into exit code 2


def test_label_maps_single_channel_and_class_range(tmp_path: Path) -> None:
    labels = stripes_label_map(4, 22)
    path = write_png(tmp_path / "mask.png", labels)
    np.testing.assert_array_equal(read_label_map(path, num_classes=11), labels)
    as_rgb = write_png(tmp_path / "gray_rgb.png", np.repeat(labels[..., None], 3, axis=-1))
    np.testing.assert_array_equal(read_label_map(as_rgb), labels)  # R = G = B: a label map
    with pytest.raises(ImageFileError, match="single-channel label-map"):
        read_label_map(write_png(tmp_path / "colour.png", noise_image(4, 4)), what="--mask")
    with pytest.raises(ImageFileError, match=r"values \[11, 12\] outside 0..10"):
        read_label_map(write_png(tmp_path / "big.png", labels + 2), num_classes=11)


def test_gray_image_and_exif_orientation(tmp_path: Path) -> None:
    image = noise_image(4, 6)
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    Image.fromarray(image).save(path, exif=exif, quality=100)
    assert read_rgb_image(path).shape == (6, 4, 3)
    assert read_gray_image(write_png(tmp_path / "g.png", image)).shape == (4, 6)
