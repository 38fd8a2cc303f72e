"""`tfface serve` over gRPC with the official PredictionServiceStub / ModelServiceStub."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2, types_pb2
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)
from toy_export import MODEL, toy_images


@pytest.fixture(scope="module")
def stubs(toy_server):
    channel = grpc.insecure_channel(
        toy_server.grpc_address, options=[("grpc.max_send_message_length", 64 << 20)]
    )
    yield (
        prediction_service_pb2_grpc.PredictionServiceStub(channel),
        model_service_pb2_grpc.ModelServiceStub(channel),
    )
    channel.close()


@pytest.fixture(scope="module")
def loaded(toy_export):
    return tf.saved_model.load(str(toy_export.version_dir))


def predict_request(signature: str, inputs: dict, model: str = MODEL, version=None):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature
    if version is not None:
        request.model_spec.version.value = version
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def signature_inputs() -> dict[str, dict[str, np.ndarray]]:
    images = toy_images(2, seed=5)
    mask = np.zeros((2, 8, 8), np.uint8)
    mask[:, 2:6, 2:6] = 1
    return {
        "serving_default": {"image": images},
        "encoded": {
            "image_bytes": np.array([tf.io.encode_png(i).numpy() for i in images], dtype=object)
        },
        "blend": {"image": images, "mask": mask, "strength": np.full((2, 1), 0.7, np.float32)},
    }


def test_predict_every_signature_matches_the_saved_model(stubs, loaded) -> None:
    prediction, _ = stubs
    for signature, inputs in signature_inputs().items():
        response = prediction.Predict(predict_request(signature, inputs), timeout=30)
        assert response.model_spec.name == MODEL and response.model_spec.version.value == 1
        assert response.model_spec.signature_name == signature
        expected = loaded.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()})
        assert set(response.outputs) == set(expected)
        for name, value in expected.items():
            got = tf.make_ndarray(response.outputs[name])
            assert got.dtype == value.numpy().dtype
            np.testing.assert_array_equal(got, value.numpy(), err_msg=f"{signature}/{name}")


def test_output_filter_and_default_signature(stubs) -> None:
    prediction, _ = stubs
    request = predict_request("", {"image": toy_images(1)})
    request.output_filter.append("change")
    response = prediction.Predict(request, timeout=30)
    assert list(response.outputs) == ["change"]
    assert response.model_spec.signature_name == "serving_default"


def test_metadata_and_status(stubs) -> None:
    prediction, models = stubs
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = MODEL
    response = prediction.GetModelMetadata(request, timeout=30)
    signature_map = get_model_metadata_pb2.SignatureDefMap()
    response.metadata["signature_def"].Unpack(signature_map)
    blend = signature_map.signature_def["blend"]
    assert set(blend.inputs) == {"image", "mask", "strength"}
    assert blend.inputs["mask"].dtype == types_pb2.DT_UINT8
    assert [d.size for d in blend.inputs["image"].tensor_shape.dim] == [-1, 8, 8, 3]
    assert response.model_spec.version.value == 1
    status_request = get_model_status_pb2.GetModelStatusRequest()
    status_request.model_spec.name = MODEL
    status = models.GetModelStatus(status_request, timeout=30)
    (version,) = status.model_version_status
    assert version.version == 1
    assert version.state == get_model_status_pb2.ModelVersionStatus.AVAILABLE


def expect_error(call, code: grpc.StatusCode, text: str) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    assert caught.value.code() == code, caught.value.details()
    assert text in caught.value.details(), caught.value.details()
    return caught.value.details()


def test_bad_requests_get_clear_errors_and_the_server_survives(stubs) -> None:
    prediction, models = stubs
    images = toy_images(1)
    good = predict_request("serving_default", {"image": images})
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    cases = [
        (
            predict_request("serving_default", {"image": images.astype(np.float32)}),
            invalid,
            "must be uint8",
        ),
        (predict_request("serving_default", {"image": images[:, :4]}), invalid, "(-1, 8, 8, 3)"),
        (predict_request("serving_default", {}), invalid, "missing inputs ['image']"),
        (
            predict_request("serving_default", {"image": images, "x": images}),
            invalid,
            "unexpected inputs",
        ),
        (
            predict_request("serving_default", {"image": images}, model="nope"),
            grpc.StatusCode.NOT_FOUND,
            "nope",
        ),
        (
            predict_request("serving_default", {"image": images}, version=9),
            grpc.StatusCode.NOT_FOUND,
            "Specific(toy, 9)",
        ),
        (
            predict_request("no_such", {"image": images}),
            grpc.StatusCode.NOT_FOUND,
            "blend, blend_bytes, encoded, serving_bytes, serving_default",
        ),
        (
            predict_request("encoded", {"image_bytes": np.array([b"\x00garbage"], dtype=object)}),
            invalid,
            "Unknown image file format",
        ),
        (
            predict_request(
                "blend",
                {
                    "image": images,
                    "mask": np.full((1, 8, 8), 7, np.uint8),
                    "strength": np.ones((1, 1), np.float32),
                },
            ),
            invalid,
            "input mask must hold values in [0, 1]",
        ),
    ]
    garbage = predict_pb2.PredictRequest()
    garbage.model_spec.name = MODEL
    garbage.inputs["image"].CopyFrom(
        tensor_pb2.TensorProto(
            dtype=types_pb2.DT_UINT8,
            tensor_shape=tf.TensorShape([1, 8, 8, 3]).as_proto(),
            tensor_content=b"\x01\x02not an image",
        )
    )
    cases.append((garbage, invalid, "tensor_content has"))
    label = predict_request("serving_default", {"image": images})
    label.model_spec.version_label = "stable"
    cases.append((label, invalid, "version labels are not supported"))
    oversized = predict_request("serving_default", {"image": toy_images(20000)})
    cases.append((oversized, grpc.StatusCode.RESOURCE_EXHAUSTED, ""))
    for request, code, text in cases:
        expect_error(lambda request=request: prediction.Predict(request, timeout=30), code, text)
        assert prediction.Predict(good, timeout=30).outputs["image"].dtype == types_pb2.DT_UINT8
    metadata = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["nope"])
    metadata.model_spec.name = MODEL
    expect_error(
        lambda: prediction.GetModelMetadata(metadata, timeout=30), invalid, "not supported"
    )
    status = get_model_status_pb2.GetModelStatusRequest()
    status.model_spec.name = "nope"
    expect_error(
        lambda: models.GetModelStatus(status, timeout=30), grpc.StatusCode.NOT_FOUND, "nope"
    )
    classify = classification_pb2.ClassificationRequest()
    classify.model_spec.name = MODEL
    expect_error(
        lambda: prediction.Classify(classify, timeout=30), grpc.StatusCode.UNIMPLEMENTED, "Predict"
    )
