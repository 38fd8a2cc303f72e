"""Encoded-image siblings of the serving signatures: PNG / JPEG bytes in, PNG bytes out too.

TF Serving users send pictures as encoded bytes (`DT_STRING`; `{"b64": ...}` over REST).
`tfface export` therefore adds, next to every signature with picture inputs (uint8 images,
label maps, hole masks: `ExportInput.picture`), a sibling signature that:

- is named `serving_bytes` for `serving_default` and `<name>_bytes` for the others
  (`parse` -> `parse_bytes`, `rotate_to_yaw` -> `rotate_to_yaw_bytes`);
- takes each picture input `x` as `x_bytes`: string (B,), one encoded image per example
  (PNG, JPEG, BMP or GIF, any size), decoded in the graph, centre-cropped to square and
  resized to the model's size (images smoothly, label maps and masks nearest-neighbour;
  `tfface.signatures.image_codec`), then normalised exactly like `x`. Other inputs (latent codes,
  `target_yaw`, float masks) are unchanged;
- returns every output of the original signature, unchanged, plus `y_png_bytes`, the PNG
  encoding (string (B,)) of every uint8 picture output `y` ((B, H, W) label maps as
  greyscale PNG; (B, H, W, 1 | 3 | 4) images). The `_bytes` suffix is TF Serving's REST
  convention: such outputs come back as {"b64": ...}. gRPC clients that want only the PNG
  set `output_filter`.

Bytes that are not an image answer INVALID_ARGUMENT. Label maps and masks must be lossless
(8-bit greyscale PNG): JPEG changes their values.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from tfface.signatures.image_codec import LABELS, PICTURE_KINDS, decode_pictures, encode_png_batch
from tfface.signatures.image_codec import png_encodable as is_png_encodable
from tfface.signatures.input_checks import check_input
from tfface.signatures.inputs import DEFAULT_WARMUP_SIZE, unit_to_uint8
from tfface.signatures.signature import DEFAULT_SIGNATURE, ExportInput, ExportSignature

BYTES_SUFFIX = "_bytes"
PNG_SUFFIX = "_png_bytes"
DEFAULT_BYTES_SIGNATURE = "serving_bytes"


def bytes_signature_name(signature_name: str) -> str:
    """`serving_default` -> `serving_bytes`; any other name -> `<name>_bytes`."""
    if signature_name == DEFAULT_SIGNATURE:
        return DEFAULT_BYTES_SIGNATURE
    return signature_name + BYTES_SUFFIX


def picture_layout(input_name: str, item: ExportInput) -> tuple[int | None, int, bool]:
    """(size, channels, squeeze) of a picture input: uint8 (B, S, S) or (B, S, S, C)."""
    dims = item.spec.shape.as_list() if item.spec.shape.rank is not None else None
    if item.picture not in PICTURE_KINDS:
        raise ValueError(
            f"input {input_name!r}: picture must be one of {PICTURE_KINDS} or None, got "
            f"{item.picture!r}"
        )
    valid_rank = dims is not None and len(dims) in (3, 4)
    if item.spec.dtype != tf.uint8 or not valid_rank or (len(dims) == 4 and dims[3] is None):
        raise ValueError(
            f"input {input_name!r}: picture inputs must be uint8 (batch, size, size) or "
            f"(batch, size, size, channels), got {item.spec.dtype.name} {item.spec.shape}"
        )
    if dims[1] != dims[2]:
        raise ValueError(f"input {input_name!r}: picture inputs must be square, got {dims}")
    if len(dims) == 3:
        return dims[1], 1, True
    return dims[1], dims[3], False


def warmup_picture(input_name: str, item: ExportInput) -> bytes:
    """A PNG of the input's size filled with its warmup value (the bytes input's warmup)."""
    size, channels, _ = picture_layout(input_name, item)
    side = size or DEFAULT_WARMUP_SIZE
    pixels = np.full((side, side, channels), item.warmup_value, np.uint8)
    return tf.io.encode_png(pixels).numpy()


def encoded_input(input_name: str, item: ExportInput) -> ExportInput:
    """The string (B,) input that decodes into picture input `item` (see module docstring)."""
    size, channels, squeeze = picture_layout(input_name, item)

    def normalize(encoded: tf.Tensor) -> tf.Tensor:
        decoded = decode_pictures(encoded, size, channels, item.picture, squeeze=squeeze)
        return item.normalize(check_input(input_name, decoded, item))

    advice = "8-bit greyscale PNG" if item.picture == LABELS else "PNG, JPEG, BMP or GIF"
    side = f"{size} x {size}" if size else "square"
    return ExportInput(
        spec=tf.TensorSpec([None], tf.string),
        normalize=normalize,
        warmup_shape=(1,),
        warmup_value=warmup_picture(input_name, item),
        description=f"one encoded image per example ({advice}), centre-cropped and resized "
        f"to {side} in the graph, then as {input_name!r}: {item.description}",
    )


def bytes_signature(signature_name: str, signature: ExportSignature) -> ExportSignature | None:
    """The encoded-image sibling of `signature`, or None if it has no picture input."""
    pictures = [name for name, item in signature.inputs.items() if item.picture is not None]
    if not pictures:
        return None
    inputs: dict[str, ExportInput] = {}
    renamed: dict[str, str] = {}  # bytes input name -> original input name
    for name, item in signature.inputs.items():
        new_name = name + BYTES_SUFFIX if item.picture is not None else name
        if new_name in inputs or (new_name != name and new_name in signature.inputs):
            raise ValueError(
                f"signature {signature_name!r}: input {new_name!r} would be given twice in "
                f"{bytes_signature_name(signature_name)!r}; rename input {name!r}"
            )
        inputs[new_name] = encoded_input(name, item) if item.picture is not None else item
        renamed[new_name] = name

    def function(normalised: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        outputs = signature.function({renamed[key]: value for key, value in normalised.items()})
        if not isinstance(outputs, Mapping):
            return outputs  # the writer reports the bad return value
        result: dict[str, tf.Tensor] = {}
        for name, tensor in outputs.items():
            tensor = tf.convert_to_tensor(tensor)
            if name in signature.image_outputs and tensor.dtype.is_floating:
                tensor = unit_to_uint8(tensor)  # as the writer does for the uint8 signature
            result[str(name)] = tensor
        for name, tensor in list(result.items()):
            if is_png_encodable(tensor):
                if name + PNG_SUFFIX in outputs:
                    raise ValueError(
                        f"signature {signature_name!r}: output {name + PNG_SUFFIX!r} exists; "
                        f"the PNG copy of {name!r} needs that name"
                    )
                result[name + PNG_SUFFIX] = encode_png_batch(tensor)
        return result

    described = signature.description or signature_name
    return ExportSignature(
        inputs=inputs,
        function=function,
        image_outputs=signature.image_outputs,
        description=f"{described} (from encoded images: {', '.join(sorted(pictures))} as "
        f"*{BYTES_SUFFIX}; picture outputs also PNG-encoded as *{PNG_SUFFIX})",
        evaluation_target=signature.evaluation_target,
    )


def with_bytes_signatures(
    signatures: Mapping[str, ExportSignature],
) -> dict[str, ExportSignature]:
    """`signatures` plus the encoded-image sibling of each one with picture inputs."""
    result = dict(signatures)
    for name, signature in signatures.items():
        sibling = bytes_signature(name, signature)
        if sibling is None:
            continue
        sibling_name = bytes_signature_name(name)
        if sibling_name in result:
            raise ValueError(
                f"signature {name!r} takes pictures, and its encoded-image sibling "
                f"{sibling_name!r} clashes with a signature of that name; rename one of them"
            )
        result[sibling_name] = sibling
    return result
