"""The TFRecord schema: encode / decode round trips and bad records."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.data.features import (
    FEATURES,
    SchemaError,
    decode_example_numpy,
    encode_example,
    encode_png16,
    encode_uv,
    parsing_spec,
)


def test_round_trip_of_every_kind_of_feature() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(20, 24, 3), dtype=np.uint8)
    labels = rng.integers(0, 11, size=(20, 24), dtype=np.uint8)
    uv = rng.uniform(size=(20, 24, 2)).astype(np.float32)
    visibility = rng.uniform(size=(20, 24)) > 0.3
    landmarks = rng.uniform(0, 20, size=(68, 3)).astype(np.float32)
    record = {
        "key": "a/b",
        "split": "train",
        "image": image,
        "label_map_11": labels,
        "face_mask": visibility,
        "uv_coords": encode_uv(uv, visibility),
        "landmarks": landmarks,
        "pose": [10.0, -5.0, 2.5],
        "identity": 7,
        "domain": "rgb",
        "metadata_names": ["gaze_x", "gaze_y"],
        "metadata_values": [0.5, -0.25],
    }
    decoded = decode_example_numpy(encode_example(record))
    np.testing.assert_array_equal(decoded["image"], image)
    np.testing.assert_array_equal(decoded["label_map_11"], labels)
    np.testing.assert_array_equal(decoded["face_mask"] > 0, visibility)
    np.testing.assert_allclose(decoded["uv_coords"][..., :2] / 65535.0, uv, atol=1e-5)
    np.testing.assert_allclose(decoded["landmarks"].reshape(68, 3), landmarks, rtol=1e-6)
    assert decoded["identity"] == 7 and decoded["domain"] == "rgb" and decoded["key"] == "a/b"
    assert (decoded["height"], decoded["width"], decoded["channels"]) == (20, 24, 3)
    assert decoded["metadata_names"] == ["gaze_x", "gaze_y"]
    np.testing.assert_allclose(decoded["metadata_values"], [0.5, -0.25])


def test_jpeg_images_and_gray_images() -> None:
    image = np.tile(np.linspace(0, 255, 32, dtype=np.uint8), (16, 1))[..., None]
    decoded = decode_example_numpy(
        encode_example({"key": "k", "image": image}, image_format="jpeg")
    )
    assert decoded["image_format"] == "jpeg" and decoded["channels"] == 1
    assert np.abs(decoded["image"].astype(int) - image[..., 0]).max() <= 3


def test_encoding_is_deterministic() -> None:
    record = {"key": "k", "image": np.zeros((8, 8, 3), np.uint8), "pose": [1.0, 2.0, 3.0]}
    assert encode_example(record) == encode_example(dict(reversed(list(record.items()))))


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"image": np.zeros((4, 4, 3), np.uint8)}, "key"),
        ({"key": "k", "colour": 1}, "unknown feature"),
        ({"key": "k", "pose": [1.0, 2.0]}, "3 values"),
        ({"key": "k", "label_map_11": np.zeros((4, 4), np.int32)}, "uint8"),
        ({"key": "k", "uv_coords": np.zeros((4, 4, 3), np.float32)}, "uint16"),
    ],
)
def test_bad_records_are_rejected(record: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        encode_example(record)


def test_png16_is_a_valid_png_for_tensorflow() -> None:
    import tensorflow as tf

    array = np.arange(2 * 3 * 3, dtype=np.uint16).reshape(2, 3, 3) * 3000
    decoded = tf.io.decode_png(encode_png16(array), dtype=tf.uint16).numpy()
    np.testing.assert_array_equal(decoded, array)


def test_parsing_spec_covers_the_schema() -> None:
    spec = parsing_spec(list(FEATURES))
    assert set(spec) == set(FEATURES)
    with pytest.raises(SchemaError):
        parsing_spec(["nope"])
