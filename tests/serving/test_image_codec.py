"""In-graph decoding of encoded images (centre crop, resize) and PNG encoding, checked
against PIL / NumPy references."""

from __future__ import annotations

import io

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfface.signatures.image_codec import IMAGE, LABELS, decode_pictures, encode_png_batch


def encoded(array: np.ndarray, image_format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def smooth_image(height: int, width: int) -> np.ndarray:
    """uint8 (height, width, 3) gradients: little detail, so JPEG and resampling agree."""
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.stack(
        [255 * columns / width, 255 * rows / height, 128 + 60 * np.sin(columns / 7)], axis=-1
    )
    return np.round(image).astype(np.uint8)


def pil_centre_crop_resize(array: np.ndarray, size: int) -> np.ndarray:
    """The reference: PIL's centre square crop (offsets floored) and bilinear resize."""
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = Image.fromarray(array[top : top + side, left : left + side])
    return np.asarray(square.resize((size, size), Image.BILINEAR))


def decode(values: list[bytes], size: int, channels: int = 3, kind: str = IMAGE, **options):
    return decode_pictures(tf.constant(values), size, channels, kind, **options).numpy()


def test_model_size_png_is_decoded_exactly() -> None:
    images = np.random.default_rng(0).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    got = decode([encoded(image) for image in images], 16)
    assert got.dtype == np.uint8 and got.shape == (2, 16, 16, 3)
    np.testing.assert_array_equal(got, images)


@pytest.mark.parametrize("height, width", [(48, 80), (81, 40)])
def test_non_square_png_is_centre_cropped_then_resized_like_pil(height, width) -> None:
    image = smooth_image(height, width)
    got = decode([encoded(image)], 24)[0]
    expected = pil_centre_crop_resize(image, 24)
    difference = np.abs(got.astype(int) - expected.astype(int))
    assert difference.max() <= 2, difference.max()
    stretched = np.asarray(Image.fromarray(image).resize((24, 24), Image.BILINEAR))
    assert np.abs(stretched.astype(int) - expected.astype(int)).max() > 20  # the check can fail


def test_non_square_jpeg_is_centre_cropped_within_jpeg_tolerance() -> None:
    image = smooth_image(40, 64)
    got = decode([encoded(image, "JPEG", quality=95)], 16)[0]
    expected = pil_centre_crop_resize(image, 16)
    difference = np.abs(got.astype(int) - expected.astype(int))
    assert difference.mean() < 2.0 and difference.max() <= 8, (difference.mean(), difference.max())


def test_label_maps_use_nearest_neighbour_and_keep_their_values() -> None:
    labels = np.random.default_rng(1).integers(0, 11, (32, 48), dtype=np.uint8)
    got = decode([encoded(labels)], 16, channels=1, kind=LABELS, squeeze=True)[0]
    assert got.shape == (16, 16) and got.dtype == np.uint8
    square = labels[:, 8:40]  # the centred 32 x 32 crop
    np.testing.assert_array_equal(got, square[1::2, 1::2])  # half-pixel centres, scale 2
    assert set(np.unique(got)) <= set(np.unique(labels))


def test_rgba_and_greyscale_inputs_give_three_channels() -> None:
    rgba = np.random.default_rng(2).integers(0, 256, (8, 8, 4), dtype=np.uint8)
    grey = np.random.default_rng(3).integers(0, 256, (8, 8), dtype=np.uint8)
    got = decode([encoded(rgba), encoded(grey)], 8)
    np.testing.assert_array_equal(got[0], rgba[..., :3])
    np.testing.assert_array_equal(got[1], np.repeat(grey[..., None], 3, axis=-1))


def test_bytes_that_are_not_an_image_raise_invalid_argument() -> None:
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unknown image file format"):
        decode([b"\x00garbage"], 8)
    truncated = encoded(smooth_image(8, 8))[:30]
    with pytest.raises(tf.errors.InvalidArgumentError):
        decode([truncated], 8)


def test_png_batches_round_trip() -> None:
    images = np.random.default_rng(4).integers(0, 256, (3, 6, 5, 3), dtype=np.uint8)
    labels = images[..., 0]
    for pictures in (images, labels):
        strings = encode_png_batch(tf.constant(pictures)).numpy()
        assert strings.shape == (3,)
        decoded = np.stack([np.asarray(Image.open(io.BytesIO(item))) for item in strings])
        np.testing.assert_array_equal(decoded, pictures)
    with pytest.raises(ValueError, match="uint8"):
        encode_png_batch(tf.zeros((1, 4, 4, 3), tf.float32))
