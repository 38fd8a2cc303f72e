"""`tfface serve` REST API with a plain HTTP client (urllib), like TF Serving's REST API."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from toy_export import MODEL, toy_images


def call(server, path: str, body=None, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        f"http://{server.rest_address}{path}",
        data=data,
        method="POST" if data is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def loaded(toy_export):
    return tf.saved_model.load(str(toy_export.version_dir))


def test_status_metadata_and_health(toy_server) -> None:
    status, answer = call(toy_server, f"/v1/models/{MODEL}")
    assert status == 200
    assert answer == {
        "model_version_status": [
            {
                "version": "1",
                "state": "AVAILABLE",
                "status": {"error_code": "OK", "error_message": ""},
            }
        ]
    }
    assert call(toy_server, f"/v1/models/{MODEL}/versions/1")[0] == 200
    status, metadata = call(toy_server, f"/v1/models/{MODEL}/metadata")
    assert status == 200
    assert metadata["model_spec"] == {"name": MODEL, "signature_name": "", "version": "1"}
    signatures = metadata["metadata"]["signature_def"]["signature_def"]
    assert {"serving_default", "encoded", "blend"} <= set(signatures)
    image = signatures["serving_default"]["inputs"]["image"]
    assert image["dtype"] == "DT_UINT8"
    assert [dim["size"] for dim in image["tensor_shape"]["dim"]] == ["-1", "8", "8", "3"]
    assert call(toy_server, "/healthz") == (200, {"status": "ok"})


def test_predict_row_and_columnar_formats(toy_server, loaded) -> None:
    images = toy_images(2, seed=3)
    expected = {k: v.numpy() for k, v in loaded.signatures["serving_default"](image=images).items()}
    status, rows = call(toy_server, f"/v1/models/{MODEL}:predict", {"instances": images.tolist()})
    assert status == 200 and len(rows["predictions"]) == 2
    for index, row in enumerate(rows["predictions"]):
        np.testing.assert_array_equal(row["image"], expected["image"][index])
        np.testing.assert_allclose(row["change"], expected["change"][index], rtol=1e-6)
    status, columns = call(
        toy_server,
        f"/v1/models/{MODEL}/versions/1:predict",
        {"signature_name": "serving_default", "inputs": {"image": images.tolist()}},
    )
    assert status == 200
    np.testing.assert_array_equal(columns["outputs"]["image"], expected["image"])
    mask = np.ones((2, 8, 8), np.uint8)
    strength = np.array([[1.0], [0.0]], np.float32)
    blend_expected = loaded.signatures["blend"](image=images, mask=mask, strength=strength)["image"]
    instances = [
        {"image": images[i].tolist(), "mask": mask[i].tolist(), "strength": strength[i].tolist()}
        for i in range(2)
    ]
    status, blended = call(
        toy_server,
        f"/v1/models/{MODEL}:predict",
        {"signature_name": "blend", "instances": instances},
    )
    assert status == 200
    np.testing.assert_array_equal(blended["predictions"], blend_expected.numpy())
    np.testing.assert_array_equal(blended["predictions"][1], images[1])


def test_predict_b64_encoded_images(toy_server, loaded) -> None:
    images = toy_images(2, seed=4)
    encoded = [base64.b64encode(tf.io.encode_png(image).numpy()).decode() for image in images]
    status, answer = call(
        toy_server,
        f"/v1/models/{MODEL}:predict",
        {"signature_name": "encoded", "instances": [{"b64": value} for value in encoded]},
    )
    assert status == 200
    expected = loaded.signatures["serving_default"](image=images)["image"].numpy()
    np.testing.assert_array_equal(answer["predictions"], expected)


def test_bad_requests_answer_400_404_413_with_an_error(toy_server) -> None:
    images = toy_images(1).tolist()
    predict = f"/v1/models/{MODEL}:predict"
    cases = [
        (predict, {"instances": [[[[0.5, 0, 0]] * 8] * 8]}, None, 400, "integers"),
        (predict, {"instances": [[[[0, 0, 0]] * 4] * 8]}, None, 400, "(-1, 8, 8, 3)"),
        (predict, {"inputs": {"image": images, "other": [1]}}, None, 400, "unexpected inputs"),
        (
            predict,
            {"signature_name": "blend", "inputs": {"image": images}},
            None,
            400,
            "missing inputs",
        ),
        (predict, {"nothing": 1}, None, 400, '"instances"'),
        (predict, None, b"{not json", 400, "JSON Parse error"),
        (predict, {"signature_name": "nope", "instances": images}, None, 404, "not found"),
        (
            predict,
            {"signature_name": "encoded", "instances": [{"b64": "Z2FyYmFnZQ=="}]},
            None,
            400,
            "Unknown image file format",
        ),
        ("/v1/models/nope:predict", {"instances": images}, None, 404, "nope"),
        (
            f"/v1/models/{MODEL}/versions/5:predict",
            {"instances": images},
            None,
            404,
            "Specific(toy, 5)",
        ),
        (f"/v1/models/{MODEL}/labels/stable:predict", {"instances": images}, None, 501, "labels"),
        (f"/v1/models/{MODEL}:classify", {"examples": []}, None, 501, "predict"),
        ("/v2/whatever", {"instances": images}, None, 404, "Malformed request"),
        (predict, None, b"{" + b" " * 1_100_000 + b"}", 413, "larger than"),
    ]
    for path, body, raw, expected_status, text in cases:
        status, answer = call(toy_server, path, body, raw)
        assert status == expected_status, (path, body, answer)
        assert text in answer["error"], answer
        assert call(toy_server, predict, {"instances": images})[0] == 200
    assert call(toy_server, "/v1/models/nope")[0] == 404
    assert call(toy_server, f"/v1/models/{MODEL}/versions/3/metadata")[0] == 404
