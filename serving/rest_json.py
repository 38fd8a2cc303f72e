"""TF Serving's REST predict JSON: request bodies -> arrays, outputs -> JSON.

Request (https://www.tensorflow.org/tfx/serving/api_rest#predict_api):

    {"signature_name": "...", "instances": [...]}   row format: one entry per example; an
                                                      entry is the value of the only input,
                                                      or {input name: value}
    {"signature_name": "...", "inputs": ...}         columnar: the value of the only input,
                                                      or {input name: batched value}

Binary values are {"b64": "<base64>"}. Answers: row format -> {"predictions": [...]} (one
entry per example: the value of the only output, or {output name: value}); columnar ->
{"outputs": value or {output name: value}}. Binary outputs (string tensors whose name
ends in "_bytes", or not UTF-8) are {"b64": ...}.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from serving.errors import invalid_argument
from serving.tensors import spec_text


def _is_b64(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"b64"}


def _decode_strings(value: Any, input_name: str) -> Any:
    if _is_b64(value):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except (binascii.Error, TypeError) as error:
            raise invalid_argument(
                f"input {input_name!r}: invalid base64 in {{'b64': ...}}"
            ) from error
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, list):
        return [_decode_strings(item, input_name) for item in value]
    raise invalid_argument(
        f'input {input_name!r} is a string tensor: give strings or {{"b64": ...}} values, '
        f"got {type(value).__name__}"
    )


def json_to_array(value: Any, spec: tf.TensorSpec, input_name: str) -> np.ndarray:
    """A JSON value as an array of the spec's dtype (INVALID_ARGUMENT if it does not fit)."""
    expected = f"expected {spec_text(spec)}"
    if spec.dtype == tf.string:
        decoded = _decode_strings(value, input_name)
        array = np.empty(np.shape(decoded) if isinstance(decoded, list) else (), dtype=object)
        try:
            array[...] = decoded
        except ValueError as error:
            raise invalid_argument(
                f"input {input_name!r}: ragged nested lists ({expected})"
            ) from error
        return array
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise invalid_argument(f"input {input_name!r}: ragged nested lists ({expected})") from error
    if array.dtype == object and _contains_b64(value):
        raise invalid_argument(
            f'input {input_name!r}: {{"b64": ...}} is only for string inputs; {expected} '
            "as (nested lists of) numbers"
        )
    if array.dtype == object or array.dtype.kind in "USV":
        raise invalid_argument(
            f"input {input_name!r}: values must be nested lists of numbers of equal lengths "
            f"({expected})"
        )
    dtype = np.dtype(spec.dtype.as_numpy_dtype)
    if dtype.kind in "iu":
        if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
            raise invalid_argument(f"input {input_name!r}: {expected}: integers, got fractions")
        if array.size and (array.min() < np.iinfo(dtype).min or array.max() > np.iinfo(dtype).max):
            info = np.iinfo(dtype)
            raise invalid_argument(
                f"input {input_name!r}: {expected}: values in [{info.min}, {info.max}], got "
                f"[{array.min()}, {array.max()}]"
            )
    elif dtype.kind == "b" and array.dtype.kind != "b":
        raise invalid_argument(f"input {input_name!r}: {expected}: true / false values")
    return array.astype(dtype)


def _contains_b64(value: Any) -> bool:
    if _is_b64(value):
        return True
    if isinstance(value, list):
        return any(_contains_b64(item) for item in value)
    return False


def _named(value: Any) -> bool:
    return isinstance(value, dict) and not _is_b64(value)


def _arrays(columns: Mapping[str, Any], specs: Mapping[str, tf.TensorSpec]) -> dict:
    """Converts the known inputs; unknown names get a placeholder (reported by check_inputs)."""
    return {
        name: json_to_array(value, specs[name], name) if name in specs else np.empty(0)
        for name, value in columns.items()
    }


def parse_predict_body(
    body: Mapping[str, Any], specs: Mapping[str, tf.TensorSpec]
) -> tuple[dict[str, np.ndarray], str]:
    """The input arrays of a predict body and its format ("row" or "columnar")."""
    has_instances, has_inputs = "instances" in body, "inputs" in body
    if has_instances == has_inputs:
        raise invalid_argument(
            'the request body needs exactly one of "instances" (row format) or "inputs" '
            "(columnar format)"
        )
    names = sorted(specs)
    if has_inputs:
        columns = body["inputs"]
        if not _named(columns):
            if len(names) != 1:
                raise invalid_argument(
                    f'"inputs" must be an object {{input name: value}} for this signature '
                    f"(inputs {names})"
                )
            columns = {names[0]: columns}
        return _arrays(columns, specs), "columnar"
    instances = body["instances"]
    if not isinstance(instances, list) or not instances:
        raise invalid_argument('"instances" must be a non-empty list, one entry per example')
    if all(_named(instance) for instance in instances):
        keys = set(instances[0])
        if any(set(instance) != keys for instance in instances):
            raise invalid_argument('every entry of "instances" must have the same input names')
        columns = {name: [instance[name] for instance in instances] for name in keys}
    elif any(_named(instance) for instance in instances):
        raise invalid_argument('"instances" mixes named objects and plain values')
    elif len(names) == 1:
        columns = {names[0]: instances}
    else:
        raise invalid_argument(
            f'this signature has several inputs {names}: each entry of "instances" must be an '
            "object {input name: value}"
        )
    return _arrays(columns, specs), "row"


def _to_json(value: np.ndarray, output_name: str) -> Any:
    if value.dtype == object or value.dtype.kind == "S":

        def encode(item: bytes) -> Any:
            if output_name.endswith("_bytes"):
                return {"b64": base64.b64encode(item).decode("ascii")}
            try:
                return item.decode("utf-8")
            except UnicodeDecodeError:
                return {"b64": base64.b64encode(item).decode("ascii")}

        return np.vectorize(encode, otypes=[object])(value).tolist() if value.size else []
    return value.tolist()


def outputs_to_json(outputs: Mapping[str, np.ndarray], row_format: bool) -> dict[str, Any]:
    """The predict answer: {"predictions": ...} (row format) or {"outputs": ...}."""
    if not row_format:
        if len(outputs) == 1:
            ((name, value),) = outputs.items()
            return {"outputs": _to_json(value, name)}
        return {"outputs": {name: _to_json(value, name) for name, value in outputs.items()}}
    sizes = {name: (value.shape[0] if value.ndim else None) for name, value in outputs.items()}
    if None in sizes.values() or len(set(sizes.values())) > 1:
        raise invalid_argument(
            f"the outputs have no common batch size {sizes}: use the columnar format "
            '("inputs") for this signature'
        )
    converted = {name: _to_json(value, name) for name, value in outputs.items()}
    if len(converted) == 1:
        (values,) = converted.values()
        return {"predictions": values}
    count = next(iter(sizes.values()))
    return {
        "predictions": [
            {name: converted[name][index] for name in converted} for index in range(count)
        ]
    }


def loads(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body (INVALID_ARGUMENT if it is not one)."""
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise invalid_argument(f"JSON Parse error: {error}") from error
    if not isinstance(value, dict):
        raise invalid_argument("the request body must be a JSON object")
    return value
