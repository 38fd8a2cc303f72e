"""Request decoding: TensorProtos, REST JSON (row / columnar, b64) and input checks."""

from __future__ import annotations

import base64

import grpc
import numpy as np
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2, types_pb2

from serving.errors import ServingError
from serving.rest_json import outputs_to_json, parse_predict_body
from serving.tensors import check_inputs, tensor_to_array

IMAGE = tf.TensorSpec([None, 2, 2, 3], tf.uint8)
SPECS = {
    "image": IMAGE,
    "mask": tf.TensorSpec([None, 2, 2], tf.uint8),
    "code": tf.TensorSpec([None, 1], tf.float32),
}


def raises(code: grpc.StatusCode, match: str):
    class Context:
        def __enter__(self):
            return self

        def __exit__(self, kind, error, traceback):
            assert isinstance(error, ServingError), f"expected a ServingError, got {error!r}"
            assert error.code == code, error
            assert match in error.message, error.message
            return True

    return Context()


def test_tensor_protos_are_checked_before_conversion() -> None:
    good = tf.make_tensor_proto(np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3))
    np.testing.assert_array_equal(tensor_to_array(good), np.arange(12).reshape(1, 2, 2, 3))
    short = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_UINT8,
        tensor_shape=tf.TensorShape([1, 2, 2, 3]).as_proto(),
        tensor_content=b"garbage",
    )
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "tensor_content has 7 bytes"):
        tensor_to_array(short, "image")
    huge = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_UINT8, tensor_shape=tf.TensorShape([100000, 100000]).as_proto()
    )
    with raises(grpc.StatusCode.RESOURCE_EXHAUSTED, "limit"):
        tensor_to_array(huge, "image")
    overflow = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_UINT8, tensor_shape=tf.TensorShape([2]).as_proto()
    )
    overflow.int_val.extend([1, 300])
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "malformed uint8"):
        tensor_to_array(overflow, "image")
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "unknown dtype"):
        tensor_to_array(tensor_pb2.TensorProto(dtype=types_pb2.DT_INVALID), "image")


def test_check_inputs_says_what_was_expected() -> None:
    image = np.zeros((2, 2, 2, 3), np.uint8)
    mask = np.zeros((2, 2, 2), np.uint8)
    code = np.zeros((2, 1), np.float32)
    check_inputs("s", SPECS, {"image": image, "mask": mask, "code": code})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "missing inputs ['mask']"):
        check_inputs("s", SPECS, {"image": image, "code": code})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "unexpected inputs ['extra']"):
        check_inputs("s", SPECS, {"image": image, "mask": mask, "code": code, "extra": code})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "'image' must be uint8, got float32"):
        check_inputs("s", SPECS, {"image": image.astype(np.float32), "mask": mask, "code": code})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "must have shape (-1, 2, 2)"):
        check_inputs("s", SPECS, {"image": image, "mask": mask[:, :1], "code": code})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "batch size"):
        check_inputs("s", SPECS, {"image": image, "mask": mask[:1], "code": code})


def test_rest_row_and_columnar_formats_agree() -> None:
    image = np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3)
    mask = np.ones((2, 2, 2), np.uint8)
    code = np.array([[0.5], [1.0]], np.float32)
    rows = [
        {"image": image[i].tolist(), "mask": mask[i].tolist(), "code": code[i].tolist()}
        for i in range(2)
    ]
    from_rows, row_format = parse_predict_body({"instances": rows}, SPECS)
    columns = {"image": image.tolist(), "mask": mask.tolist(), "code": code.tolist()}
    from_columns, column_format = parse_predict_body({"inputs": columns}, SPECS)
    assert (row_format, column_format) == ("row", "columnar")
    for name in SPECS:
        np.testing.assert_array_equal(from_rows[name], from_columns[name])
        assert from_rows[name].dtype == SPECS[name].dtype.as_numpy_dtype
    single, _ = parse_predict_body({"instances": image.tolist()}, {"image": IMAGE})
    np.testing.assert_array_equal(single["image"], image)


def test_rest_b64_strings_and_bad_bodies() -> None:
    specs = {"image_bytes": tf.TensorSpec([None], tf.string)}
    payload = [
        {"b64": base64.b64encode(b"\x89PNG raw").decode()},
        {"b64": base64.b64encode(b"x").decode()},
    ]
    arrays, _ = parse_predict_body({"instances": payload}, specs)
    assert arrays["image_bytes"].tolist() == [b"\x89PNG raw", b"x"]
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "invalid base64"):
        parse_predict_body({"inputs": [{"b64": "***"}]}, specs)
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "exactly one of"):
        parse_predict_body({"instances": [1], "inputs": [1]}, specs)
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "values in [0, 255]"):
        parse_predict_body({"inputs": [[[[300, 0, 0]] * 2] * 2]}, {"image": IMAGE})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "ragged"):
        parse_predict_body({"inputs": [[1, 2], [3]]}, {"image": IMAGE})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "only for string inputs"):
        parse_predict_body({"inputs": [{"b64": "AAAA"}]}, {"image": IMAGE})
    with raises(grpc.StatusCode.INVALID_ARGUMENT, "several inputs"):
        parse_predict_body({"instances": [1, 2]}, SPECS)


def test_rest_answers_like_tf_serving() -> None:
    outputs = {"image": np.zeros((2, 1), np.uint8), "score": np.array([0.5, 1.0], np.float32)}
    assert outputs_to_json(outputs, row_format=True) == {
        "predictions": [{"image": [0], "score": 0.5}, {"image": [0], "score": 1.0}]
    }
    assert outputs_to_json(outputs, row_format=False) == {
        "outputs": {"image": [[0], [0]], "score": [0.5, 1.0]}
    }
    assert outputs_to_json({"score": outputs["score"]}, row_format=True) == {
        "predictions": [0.5, 1.0]
    }
    encoded = outputs_to_json({"png_bytes": np.array([b"\xff"], object)}, row_format=False)
    assert encoded == {"outputs": [{"b64": "/w=="}]}
