"""THE TFRecord schema of tfface: one `tf.train.Example` layout for every dataset.

Shared by the Beam writers (`pipelines/`), the tf.data reader
(`tfface.data.reader`) and the serving parsers. Every feature is optional
except `key`; a dataset uses the subset it has, listed in its
`dataset_info.json`. Images are stored encoded (PNG lossless by default, JPEG
for photos when asked), label maps and masks as 8-bit PNG, UV coordinates as
16-bit PNG (u, v, visibility scaled to 0..65535, lossless to 1.5e-5), vectors
as float lists.

| key | type | content |
|---|---|---|
| key | bytes | unique source key (path or generator coordinates) |
| split | bytes | train / validation / test |
| image | bytes | encoded uint8 RGB (or 1-channel NIR) image |
| image_format | bytes | png or jpeg |
| height, width, channels | int64 | decoded image shape |
| label_map_19 / label_map_11 | bytes | PNG uint8 (H, W), CELEBAMASK_HQ_19 / PORTRAIT_11 |
| face_mask, occlusion_mask, hole_mask | bytes | PNG uint8 (H, W), 255 = set |
| image_unoccluded | bytes | encoded image, ground truth under an occluder |
| uv_coords | bytes | PNG uint16 (H, W, 3): u, v, visibility x 65535 |
| uv_texture | bytes | PNG uint8 (U, U, 3) |
| uv_blend | bytes | PNG uint8 (U, U, 3): pseudo-complete UV map UV_bl (uv_completion) |
| landmarks | float (68*3) | iBUG-68 (x, y, depth) in pixels |
| pose | float (3) | yaw, pitch, roll in degrees |
| identity | int64 | person id (-1 unknown) |
| domain | bytes | rgb, nir, mask_texture, painting, photo, ... |
| occluder | bytes | occluder name or empty |
| target_image, target_label_map_11 | bytes | paired target (same person, other pose/domain) |
| target_pose | float (3) | the target's pose |
| target_landmarks | float (68*3) | the paired target's iBUG-68 (x, y, depth) in pixels |
| coefficients | float list | 3DMM coefficients (`tfface.face3d.coefficients` layout) of the dataset's morphable model |
| metadata_names / metadata_values | bytes list / float list | extra numeric columns (gaze, camera, illumination, session) |
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Feature:
    """One schema entry.

    Attributes:
        name: feature key in the Example.
        kind: 'bytes', 'int', 'float', 'bytes_list' or 'float_list'.
        encoding: for bytes features holding arrays: 'image', 'png8', 'png16'; else ''.
        length: fixed length of numeric features (0 = variable / scalar bytes).
        description: what it holds.
    """

    name: str
    kind: str
    encoding: str = ""
    length: int = 0
    description: str = ""


FEATURES: dict[str, Feature] = {
    feature.name: feature
    for feature in (
        Feature("key", "bytes", description="unique source key"),
        Feature("split", "bytes", description="train / validation / test"),
        Feature("image", "bytes", "image", description="encoded image (PNG or JPEG)"),
        Feature("image_format", "bytes", description="png or jpeg"),
        Feature("height", "int", length=1, description="image height"),
        Feature("width", "int", length=1, description="image width"),
        Feature("channels", "int", length=1, description="image channels"),
        Feature("label_map_19", "bytes", "png8", description="CELEBAMASK_HQ_19 label map"),
        Feature("label_map_11", "bytes", "png8", description="PORTRAIT_11 label map"),
        Feature("face_mask", "bytes", "png8", description="face region, 255 = face"),
        Feature("occlusion_mask", "bytes", "png8", description="occluder, 255 = occluded"),
        Feature("hole_mask", "bytes", "png8", description="inpainting holes, 255 = hole"),
        Feature(
            "image_unoccluded", "bytes", "image", description="ground truth under the occluder"
        ),
        Feature("uv_coords", "bytes", "png16", description="u, v, visibility x 65535"),
        Feature("uv_texture", "bytes", "png8", description="full UV texture"),
        Feature("uv_blend", "bytes", "png8", description="pseudo-complete UV map UV_bl"),
        Feature("landmarks", "float", length=68 * 3, description="iBUG-68 (x, y, depth) pixels"),
        Feature("pose", "float", length=3, description="yaw, pitch, roll degrees"),
        Feature("identity", "int", length=1, description="person id, -1 unknown"),
        Feature("domain", "bytes", description="image domain"),
        Feature("occluder", "bytes", description="occluder name, empty if none"),
        Feature("target_image", "bytes", "image", description="paired target image"),
        Feature("target_label_map_11", "bytes", "png8", description="paired target labels"),
        Feature("target_pose", "float", length=3, description="paired target pose"),
        Feature(
            "target_landmarks",
            "float",
            length=68 * 3,
            description="paired target iBUG-68 (x, y, depth) pixels",
        ),
        Feature(
            "coefficients",
            "float_list",
            description="3DMM coefficients for the dataset's morphable_model.npz",
        ),
        Feature("metadata_names", "bytes_list", description="names of extra numeric columns"),
        Feature("metadata_values", "float_list", description="values of extra numeric columns"),
    )
}


class SchemaError(ValueError):
    """A record does not fit the schema."""


# -- array encodings ------------------------------------------------------------------------


def encode_png(array: np.ndarray) -> bytes:
    """uint8 (H, W), (H, W, 1), (H, W, 3) or bool -> PNG bytes (deterministic)."""
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.dtype != np.uint8:
        raise SchemaError(f"8-bit PNG needs uint8 or bool data, got {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise SchemaError(f"cannot encode an array of shape {array.shape} as PNG")
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def encode_jpeg(array: np.ndarray, quality: int = 95) -> bytes:
    """uint8 RGB (H, W, 3) or grayscale -> JPEG bytes."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise SchemaError(f"JPEG needs uint8 data, got {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=quality, subsampling=0)
    return buffer.getvalue()


def encode_png16(array: np.ndarray) -> bytes:
    """uint16 (H, W, 3) -> 16-bit RGB PNG (PIL cannot write these, so built here with zlib)."""
    array = np.asarray(array)
    if array.dtype != np.uint16 or array.ndim != 3 or array.shape[2] != 3:
        raise SchemaError(f"16-bit PNG needs uint16 (H, W, 3), got {array.dtype} {array.shape}")
    height, width, _ = array.shape
    rows = np.concatenate(
        [np.zeros((height, 1), np.uint8), array.astype(">u2").view(np.uint8).reshape(height, -1)],
        axis=1,
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def encode_uv(uv_coords: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """float (H, W, 2) in [0, 1] + bool (H, W) -> uint16 (H, W, 3) (x 65535)."""
    channels = np.concatenate([uv_coords, visibility[..., None].astype(np.float32)], axis=-1)
    return np.round(np.clip(channels, 0.0, 1.0) * 65535.0).astype(np.uint16)


def decode_image_numpy(data: bytes) -> np.ndarray:
    """PNG / JPEG bytes -> uint8 array (H, W) or (H, W, C) (NumPy, for tools and tests)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return np.asarray(image)


# -- examples -------------------------------------------------------------------------------


def _bytes_feature(values: list[bytes]) -> Any:
    import tensorflow as tf

    return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))


def encode_example(
    record: dict[str, Any], image_format: str = "png", jpeg_quality: int = 95
) -> bytes:
    """Serialises a record (feature name -> value) to `tf.train.Example` bytes.

    Image features take uint8 arrays (encoded as `image_format`); png8 features
    uint8 / bool arrays; `uv_coords` an already encoded uint16 (H, W, 3) array
    (see `encode_uv`); numeric features sequences; bytes features str / bytes.
    Unknown names or wrong lengths raise `SchemaError`.
    """
    import tensorflow as tf

    if "key" not in record:
        raise SchemaError("every record needs a 'key'")
    if image_format not in ("png", "jpeg"):
        raise SchemaError(f"image_format must be 'png' or 'jpeg', got {image_format!r}")
    features: dict[str, Any] = {}
    for name, value in record.items():
        if name not in FEATURES:
            raise SchemaError(f"unknown feature {name!r}; the schema has: {', '.join(FEATURES)}")
        spec = FEATURES[name]
        if spec.kind == "bytes":
            if spec.encoding == "image":
                value = (
                    encode_png(value) if image_format == "png" else encode_jpeg(value, jpeg_quality)
                )
            elif spec.encoding == "png8":
                value = encode_png(value)
            elif spec.encoding == "png16":
                value = encode_png16(value)
            elif isinstance(value, str):
                value = value.encode("utf-8")
            features[name] = _bytes_feature([value])
        elif spec.kind == "bytes_list":
            features[name] = _bytes_feature(
                [v.encode("utf-8") if isinstance(v, str) else v for v in value]
            )
        elif spec.kind in ("int", "float", "float_list"):
            values = np.asarray(value, dtype=np.float64 if spec.kind != "int" else np.int64).ravel()
            if spec.length and values.size != spec.length:
                raise SchemaError(f"feature {name!r} needs {spec.length} values, got {values.size}")
            if spec.kind == "int":
                features[name] = tf.train.Feature(
                    int64_list=tf.train.Int64List(value=values.tolist())
                )
            else:
                features[name] = tf.train.Feature(
                    float_list=tf.train.FloatList(value=values.tolist())
                )
    if "image" in record:
        image = np.asarray(record["image"])
        channels = 1 if image.ndim == 2 else image.shape[2]
        features.setdefault("image_format", _bytes_feature([image_format.encode()]))
        features.setdefault(
            "height", tf.train.Feature(int64_list=tf.train.Int64List(value=[image.shape[0]]))
        )
        features.setdefault(
            "width", tf.train.Feature(int64_list=tf.train.Int64List(value=[image.shape[1]]))
        )
        features.setdefault(
            "channels", tf.train.Feature(int64_list=tf.train.Int64List(value=[channels]))
        )
    example = tf.train.Example(features=tf.train.Features(feature=features))
    return example.SerializeToString(deterministic=True)


# Features that may be absent from some records of a dataset (an unoccluded example has no
# occlusion mask): they parse as empty bytes and readers substitute their neutral value.
OPTIONAL_FEATURES = ("occlusion_mask", "hole_mask", "image_unoccluded", "occluder")


def parsing_spec(names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`tf.io.parse_single_example` spec for the given feature names."""
    import tensorflow as tf

    spec = {}
    for name in names:
        if name not in FEATURES:
            raise SchemaError(f"unknown feature {name!r}; the schema has: {', '.join(FEATURES)}")
        feature = FEATURES[name]
        if feature.kind == "bytes":
            default = "" if name in OPTIONAL_FEATURES else None
            spec[name] = tf.io.FixedLenFeature([], tf.string, default_value=default)
        elif feature.kind == "int":
            spec[name] = tf.io.FixedLenFeature([feature.length], tf.int64)
        elif feature.kind == "float":
            spec[name] = tf.io.FixedLenFeature([feature.length], tf.float32)
        elif feature.kind == "bytes_list":
            spec[name] = tf.io.VarLenFeature(tf.string)
        else:
            spec[name] = tf.io.VarLenFeature(tf.float32)
    return spec


def decode_example_numpy(serialized: bytes) -> dict[str, Any]:
    """Decodes Example bytes into NumPy arrays / Python values (for tools and tests)."""
    import tensorflow as tf

    example = tf.train.Example.FromString(serialized)
    record: dict[str, Any] = {}
    for name, feature in example.features.feature.items():
        if name not in FEATURES:
            raise SchemaError(f"record has unknown feature {name!r}")
        spec = FEATURES[name]
        if spec.kind == "bytes":
            value = feature.bytes_list.value[0]
            if spec.encoding in ("image", "png8"):
                record[name] = decode_image_numpy(value)
            elif spec.encoding == "png16":
                record[name] = tf.io.decode_png(value, dtype=tf.uint16).numpy()
            else:
                record[name] = value.decode("utf-8")
        elif spec.kind == "bytes_list":
            record[name] = [value.decode("utf-8") for value in feature.bytes_list.value]
        elif spec.kind == "int":
            values = list(feature.int64_list.value)
            record[name] = values[0] if spec.length == 1 else np.array(values)
        else:
            record[name] = np.array(feature.float_list.value, dtype=np.float32)
    return record
