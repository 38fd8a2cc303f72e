"""The one check of every serving input, run inside the exported graph.

`tensorflow_model_server` feeds request tensors straight into the graph: it does not
compare their shapes with the SignatureDef, so a (B, 32, 32, 3) image sent to a 64 px
model, or a mask with the wrong channel count, would reach the networks. Every signature
input therefore passes `check_input` before its normalisation
(`tfface/export/saved_model_writer.py` for the wire tensors,
`tfface/signatures/bytes_signatures.py` for the pictures decoded from encoded bytes):

- dtype: fixed by the signature (a request of another dtype is refused before the graph
  runs: INVALID_ARGUMENT from TF Serving and from `tfface serve`);
- rank and every known size of `ExportInput.spec` (the batch stays free);
- values: `ExportInput.value_range` (inclusive; label maps, angles; NaN fails) and
  `ExportInput.allowed_values` (hole masks 0 / 255).

A failed check raises InvalidArgumentError when the graph runs, with a message naming the
input, what it must be, and what came; servers answer INVALID_ARGUMENT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tensorflow as tf

if TYPE_CHECKING:
    from tfface.signatures.signature import ExportInput


def spec_text(spec: tf.TensorSpec) -> str:
    """'uint8 (batch, 64, 64, 3)': dtype and shape ('batch' / 'any' for free sizes)."""
    if spec.shape.rank is None:
        return f"{spec.dtype.name} of any shape"
    dims = [
        "batch" if index == 0 and dim is None else str(dim or "any")
        for index, dim in enumerate(spec.shape.as_list())
    ]
    return f"{spec.dtype.name} ({', '.join(dims)})"


def check_shape(input_name: str, tensor: tf.Tensor, spec: tf.TensorSpec) -> list[tf.Operation]:
    """Run-time assertions that `tensor` has the rank and known sizes of `spec`.

    The failure message names the input and its spec; TensorFlow appends the shape that
    came (x) and the one expected (y, free sizes copied from x).
    """
    if spec.shape.rank is None:
        return []
    message = f"input {input_name} must be {spec_text(spec)}"
    rank_check = tf.debugging.assert_equal(
        tf.rank(tensor), spec.shape.rank, message=f"{message}; got another rank"
    )
    dims = spec.shape.as_list()
    with tf.control_dependencies([rank_check]):  # compare sizes only once the rank is right
        shape = tf.shape(tensor, name="shape_sent")
        known = tf.constant([dim is not None for dim in dims])
        wanted = tf.where(
            known, tf.constant([dim or 0 for dim in dims], tf.int32), shape, name="shape_expected"
        )
        size_check = tf.debugging.assert_equal(shape, wanted, message=f"{message}; got shape")
    return [rank_check, size_check]


def check_values(input_name: str, tensor: tf.Tensor, item: ExportInput) -> list[tf.Operation]:
    """Run-time assertions of `item.value_range` and `item.allowed_values`."""
    checks = []
    if item.value_range is None and item.allowed_values is None:
        return checks
    values = tf.cast(tensor, tf.float32)
    if item.value_range is not None:
        low, high = item.value_range
        inside = tf.reduce_all((values >= low) & (values <= high))  # NaN compares false
        checks.append(
            tf.debugging.assert_equal(
                inside,
                True,
                message=f"input {input_name} must hold values in [{low:g}, {high:g}]",
            )
        )
    if item.allowed_values is not None:
        allowed = tf.zeros_like(values, tf.bool)
        for value in item.allowed_values:
            allowed |= tf.equal(values, value)
        listed = ", ".join(f"{value:g}" for value in item.allowed_values)
        checks.append(
            tf.debugging.assert_equal(
                tf.reduce_all(allowed),
                True,
                message=f"input {input_name} must hold only the values {listed}",
            )
        )
    return checks


def check_input(
    input_name: str, tensor: tf.Tensor, item: ExportInput, spec: tf.TensorSpec | None = None
) -> tf.Tensor:
    """`tensor` once its shape (against `spec`, default `item.spec`) and values are checked."""
    tensor = tf.convert_to_tensor(tensor)
    spec = spec if spec is not None else item.spec
    if tensor.dtype != spec.dtype:
        raise TypeError(f"input {input_name} must be {spec.dtype.name}, got {tensor.dtype.name}")
    shape_checks = check_shape(input_name, tensor, spec)
    with tf.control_dependencies(shape_checks):
        value_checks = check_values(input_name, tensor, item)
    with tf.control_dependencies(shape_checks + value_checks):
        return tf.identity(tensor)
