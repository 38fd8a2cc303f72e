"""TensorProto <-> NumPy, and checking request inputs against a signature's input specs.

Requests are untrusted: a TensorProto may claim a shape its content does not fill, a
dtype TensorFlow does not know, or a shape so large that expanding it would exhaust
memory. `tensor_to_array` checks all of that before converting, and `check_inputs` says
exactly which inputs a signature expects (names, dtypes, shapes) when a request differs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2

from serving.errors import invalid_argument, resource_exhausted

# Expanding a TensorProto with fewer values than elements (TF's broadcast rule) is bounded.
MAX_TENSOR_BYTES = 1 << 30


def spec_text(spec: tf.TensorSpec) -> str:
    """'uint8 (-1, 64, 64, 3)': dtype and shape, -1 for any size."""
    dims = "?" if spec.shape.rank is None else tuple(-1 if d is None else d for d in spec.shape)
    return f"{spec.dtype.name} {dims}"


def _dtype_of(proto: tensor_pb2.TensorProto, input_name: str) -> tf.DType:
    try:
        dtype = tf.dtypes.as_dtype(proto.dtype)
    except TypeError as error:
        raise invalid_argument(f"input {input_name!r}: unknown dtype enum {proto.dtype}") from error
    if dtype == tf.resource or dtype == tf.variant:
        raise invalid_argument(f"input {input_name!r}: dtype {dtype.name} is not accepted")
    return dtype


def tensor_to_array(
    proto: tensor_pb2.TensorProto, input_name: str = "tensor", max_bytes: int = MAX_TENSOR_BYTES
) -> np.ndarray:
    """A request TensorProto as a NumPy array (INVALID_ARGUMENT when it is malformed)."""
    dtype = _dtype_of(proto, input_name)
    if proto.tensor_shape.unknown_rank:
        raise invalid_argument(f"input {input_name!r}: the tensor shape must be fully known")
    dims = [dim.size for dim in proto.tensor_shape.dim]
    if any(size < 0 for size in dims):
        raise invalid_argument(f"input {input_name!r}: negative dimension in shape {dims}")
    elements = int(np.prod(dims, dtype=np.float64)) if dims else 1
    item_size = 1 if dtype == tf.string else dtype.size
    if elements * item_size > max_bytes:
        raise resource_exhausted(
            f"input {input_name!r}: shape {dims} of {dtype.name} needs "
            f"{elements * item_size} bytes, more than the limit of {max_bytes}"
        )
    if proto.tensor_content and dtype != tf.string:
        expected = elements * dtype.size
        if len(proto.tensor_content) != expected:
            raise invalid_argument(
                f"input {input_name!r}: tensor_content has {len(proto.tensor_content)} bytes, "
                f"but shape {dims} of {dtype.name} needs {expected}"
            )
    try:
        return tf.make_ndarray(proto)
    except (ValueError, TypeError, OverflowError, IndexError) as error:
        raise invalid_argument(
            f"input {input_name!r}: malformed {dtype.name} tensor of shape {dims}: {error}"
        ) from error


def array_to_tensor(array: np.ndarray) -> tensor_pb2.TensorProto:
    """A NumPy array as a TensorProto."""
    proto = tensor_pb2.TensorProto()
    fill_tensor_proto(proto, array)
    return proto


def fill_tensor_proto(proto: tensor_pb2.TensorProto, array: np.ndarray) -> None:
    """Writes `array` into `proto` in place (numbers as raw tensor_content, no extra copy)."""
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind in "SU":
        proto.CopyFrom(tf.make_tensor_proto(array))
        return
    proto.dtype = tf.dtypes.as_dtype(array.dtype).as_datatype_enum
    for size in array.shape:
        proto.tensor_shape.dim.add().size = size
    proto.tensor_content = np.ascontiguousarray(array).tobytes()


def _shape_matches(shape: tuple[int, ...], spec: tf.TensorSpec) -> bool:
    if spec.shape.rank is None:
        return True
    if len(shape) != spec.shape.rank:
        return False
    return all(want is None or want == got for want, got in zip(spec.shape, shape, strict=True))


def check_inputs(
    signature_name: str, specs: Mapping[str, tf.TensorSpec], arrays: Mapping[str, np.ndarray]
) -> None:
    """Raises INVALID_ARGUMENT unless `arrays` are exactly the signature's inputs.

    Checks names (missing, unexpected), dtypes, shapes against the specs (None = any size)
    and that batched inputs agree on the batch size.
    """

    def expected() -> str:  # only built for an error message
        return ", ".join(f"{name}: {spec_text(spec)}" for name, spec in sorted(specs.items()))

    missing = sorted(set(specs) - set(arrays))
    extra = sorted(set(arrays) - set(specs))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing inputs {missing}")
        if extra:
            parts.append(f"unexpected inputs {extra}")
        raise invalid_argument(
            f"signature {signature_name!r}: {'; '.join(parts)}. Expected inputs: {expected()}"
        )
    for name, spec in specs.items():
        array = arrays[name]
        if array.dtype != spec.dtype.as_numpy_dtype and not (
            spec.dtype == tf.string and array.dtype == object
        ):
            got = tf.dtypes.as_dtype(array.dtype).name if array.dtype != object else "string"
            raise invalid_argument(
                f"signature {signature_name!r}: input {name!r} must be {spec.dtype.name}, "
                f"got {got}. Expected inputs: {expected()}"
            )
        if not _shape_matches(array.shape, spec):
            raise invalid_argument(
                f"signature {signature_name!r}: input {name!r} must have shape "
                f"{spec_text(spec).split(' ', 1)[1]} (-1 = any size), got {tuple(array.shape)}. "
                f"Expected inputs: {expected()}"
            )
    batch_sizes = {
        name: arrays[name].shape[0]
        for name, spec in specs.items()
        if spec.shape.rank and spec.shape[0] is None
    }
    if len(set(batch_sizes.values())) > 1:
        raise invalid_argument(
            f"signature {signature_name!r}: inputs disagree on the batch size {batch_sizes}"
        )
