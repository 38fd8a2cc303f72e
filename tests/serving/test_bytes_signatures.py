"""Encoded-image signatures of the toy export (`serving_bytes`, `blend_bytes`): same answers as
the uint8 signatures, centre-crop of other sizes, PNG outputs, served by `tfface serve` over
gRPC (official protos) and REST ({"b64": ...}), bad bytes -> INVALID_ARGUMENT / 400."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import urllib.error
import urllib.request

import grpc
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
from toy_export import MODEL, toy_images

from tfface.export.saved_model_writer import serving_functions
from tfface.signatures.bytes_signatures import bytes_signature_name, with_bytes_signatures
from tfface.signatures.inputs import image_input, latent_input
from tfface.signatures.signature import ExportSignature
from tfface.systems.inpainting_export import hole_mask_input

SIZE = 8


def encoded(array: np.ndarray, image_format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def strings(values: list[bytes]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def toy_masks(count: int) -> np.ndarray:
    masks = np.zeros((count, SIZE, SIZE), np.uint8)
    masks[:, 2:7, 1:5] = 1
    return masks


def framed_face(height: int, width: int) -> np.ndarray:
    """A smooth centred square between saturated side bands that a centre crop removes."""
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.stack([200 * rows / height + 20, 200 * columns / width + 20, 90 + 0 * rows], -1)
    band = (width - height) // 2
    image[:, :band] = (255, 0, 255)
    image[:, width - band :] = (0, 255, 0)
    return np.round(image).astype(np.uint8)


@pytest.fixture(scope="module")
def loaded(toy_export):
    return tf.saved_model.load(str(toy_export.version_dir))


def call(function, **inputs) -> dict[str, np.ndarray]:
    return {key: value.numpy() for key, value in function(**inputs).items()}


def test_each_picture_signature_has_a_bytes_sibling(toy_export, loaded) -> None:
    assert set(toy_export.signatures) == {
        "serving_default",
        "serving_bytes",
        "blend",
        "blend_bytes",
        "encoded",  # takes no uint8 picture: no sibling
    }
    specs = loaded.signatures["blend_bytes"].structured_input_signature[1]
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in specs.items()} == {
        "image_bytes": (tf.string, [None]),
        "mask_bytes": (tf.string, [None]),
        "strength": (tf.float32, [None, 1]),
    }
    outputs = loaded.signatures["serving_bytes"].structured_outputs
    assert set(outputs) == {"image", "change", "image_png_bytes"}
    assert outputs["image_png_bytes"].dtype == tf.string
    card = json.loads((toy_export.version_dir / "assets.extra" / "model_card.json").read_text())
    assert (
        "centre-cropped"
        in card["signatures"]["serving_bytes"]["inputs"]["image_bytes"]["description"]
    )


def test_png_of_a_model_size_picture_gives_the_uint8_answer_exactly(loaded) -> None:
    images, masks = toy_images(3, seed=11), toy_masks(3)
    strength = np.array([[1.0], [0.4], [0.0]], np.float32)
    expected = call(loaded.signatures["serving_default"], image=images)
    got = call(
        loaded.signatures["serving_bytes"], image_bytes=strings([encoded(i) for i in images])
    )
    for name in ("image", "change"):
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    png = np.stack([png_pixels(item) for item in got["image_png_bytes"]])
    np.testing.assert_array_equal(png, expected["image"])

    expected = call(loaded.signatures["blend"], image=images, mask=masks, strength=strength)
    got = call(
        loaded.signatures["blend_bytes"],
        image_bytes=strings([encoded(i) for i in images]),
        mask_bytes=strings([encoded(m) for m in masks]),
        strength=strength,
    )
    np.testing.assert_array_equal(got["image"], expected["image"])


def test_a_non_square_jpeg_is_centre_cropped_and_resized(loaded) -> None:
    picture = framed_face(24, 40)  # centre crop: columns 8..31
    data = encoded(picture, "JPEG", quality=95)
    decoded = np.asarray(Image.open(io.BytesIO(data)))
    reference = np.asarray(Image.fromarray(decoded[:, 8:32]).resize((SIZE, SIZE), Image.BILINEAR))
    stretched = np.asarray(Image.fromarray(decoded).resize((SIZE, SIZE), Image.BILINEAR))
    uint8_signature = loaded.signatures["serving_default"]
    expected = call(uint8_signature, image=reference[None])["image"].astype(int)
    wrong = call(uint8_signature, image=stretched[None])["image"].astype(int)
    got = call(loaded.signatures["serving_bytes"], image_bytes=strings([data]))["image"]
    difference = np.abs(got.astype(int) - expected)
    assert difference.mean() < 2.0 and difference.max() <= 12, (difference.mean(), difference.max())
    assert np.abs(wrong - expected).mean() > 4 * max(difference.mean(), 1.0)


def test_served_over_grpc_with_the_official_protos(toy_server, loaded) -> None:
    images = toy_images(2, seed=12)
    data = strings([encoded(image) for image in images])
    channel = grpc.insecure_channel(toy_server.grpc_address)
    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    try:
        request = predict_pb2.PredictRequest()
        request.model_spec.name = MODEL
        request.model_spec.signature_name = "serving_bytes"
        request.inputs["image_bytes"].CopyFrom(tf.make_tensor_proto(data))
        response = stub.Predict(request, timeout=60)
        assert set(response.outputs) == {"image", "change", "image_png_bytes"}
        expected = call(loaded.signatures["serving_default"], image=images)["image"]
        np.testing.assert_array_equal(tf.make_ndarray(response.outputs["image"]), expected)
        pngs = tf.make_ndarray(response.outputs["image_png_bytes"])
        np.testing.assert_array_equal(np.stack([png_pixels(item) for item in pngs]), expected)

        request.output_filter.append("image_png_bytes")
        assert set(stub.Predict(request, timeout=60).outputs) == {"image_png_bytes"}

        request.inputs["image_bytes"].CopyFrom(tf.make_tensor_proto(strings([b"\x00garbage"])))
        with pytest.raises(grpc.RpcError) as raised:
            stub.Predict(request, timeout=60)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "Unknown image file format" in raised.value.details()
    finally:
        channel.close()


def rest_predict(server, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://{server.rest_address}/v1/models/{MODEL}:predict", json.dumps(body).encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def b64(data: bytes) -> dict[str, str]:
    return {"b64": base64.b64encode(data).decode("ascii")}


def test_served_over_rest_with_b64(toy_server, loaded) -> None:
    images, masks = toy_images(2, seed=13), toy_masks(2)
    status, answer = rest_predict(
        toy_server,
        {"signature_name": "serving_bytes", "instances": [b64(encoded(i)) for i in images]},
    )
    assert status == 200, answer
    expected = call(loaded.signatures["serving_default"], image=images)["image"]
    predictions = answer["predictions"]
    np.testing.assert_array_equal([p["image"] for p in predictions], expected)
    pngs = [base64.b64decode(p["image_png_bytes"]["b64"]) for p in predictions]
    np.testing.assert_array_equal(np.stack([png_pixels(item) for item in pngs]), expected)

    strength = np.array([[0.5], [1.0]], np.float32)
    status, answer = rest_predict(
        toy_server,
        {
            "signature_name": "blend_bytes",
            "inputs": {
                "image_bytes": [b64(encoded(i)) for i in images],
                "mask_bytes": [b64(encoded(m)) for m in masks],
                "strength": strength.tolist(),
            },
        },
    )
    assert status == 200, answer
    blended = call(loaded.signatures["blend"], image=images, mask=masks, strength=strength)
    np.testing.assert_array_equal(answer["outputs"]["image"], blended["image"])

    garbage = {"signature_name": "serving_bytes", "instances": [b64(b"not an image")]}
    status, answer = rest_predict(toy_server, garbage)
    assert status == 400 and "Unknown image file format" in answer["error"]
    bad_labels = np.full((SIZE, SIZE), 5, np.uint8)  # the toy mask has 2 classes
    status, answer = rest_predict(
        toy_server,
        {
            "signature_name": "blend_bytes",
            "instances": [
                {"image_bytes": b64(encoded(images[0])), "mask_bytes": b64(encoded(bad_labels))}
                | {"strength": [1.0]}
            ],
        },
    )
    assert status == 400 and "[0, 1]" in answer["error"], answer


def test_names_and_clashes_are_checked() -> None:
    assert bytes_signature_name("serving_default") == "serving_bytes"
    assert bytes_signature_name("rotate_to_yaw") == "rotate_to_yaw_bytes"

    def identity(inputs: dict) -> dict:
        return {"image": inputs["image"]}

    plain = ExportSignature(inputs={"image": image_input(SIZE)}, function=identity)
    codes = ExportSignature(inputs={"code": latent_input(4)}, function=identity)
    assert sorted(with_bytes_signatures({"edit": plain, "sample": codes})) == [
        "edit",
        "edit_bytes",
        "sample",
    ]
    with pytest.raises(ValueError, match="'edit_bytes' clashes"):
        with_bytes_signatures({"edit": plain, "edit_bytes": codes})
    twice = ExportSignature(
        inputs={"image": image_input(SIZE), "image_bytes": latent_input(1)}, function=identity
    )
    with pytest.raises(ValueError, match="'image_bytes' would be given twice"):
        with_bytes_signatures({"edit": twice})
    not_a_picture = dataclasses.replace(latent_input(4), picture="image")
    wrong = ExportSignature(inputs={"code": not_a_picture}, function=identity)
    with pytest.raises(ValueError, match="picture inputs must be uint8"):
        with_bytes_signatures({"sample": wrong})


def test_single_channel_masks_decode_from_greyscale_png() -> None:
    def fill(inputs: dict) -> dict:
        return {"image": inputs["image"] * (1.0 - inputs["hole_mask"])}

    signature = ExportSignature(
        inputs={"image": image_input(SIZE), "hole_mask": hole_mask_input(SIZE)}, function=fill
    )
    functions = serving_functions(with_bytes_signatures({"inpaint": signature}))
    images = toy_images(2, seed=14)
    holes = np.zeros((2, SIZE, SIZE, 1), np.uint8)
    holes[0, 2:5, 3:6] = 255
    expected = functions["inpaint"](image=images, hole_mask=holes)["image"].numpy()
    got = functions["inpaint_bytes"](
        image_bytes=strings([encoded(i) for i in images]),
        hole_mask_bytes=strings([encoded(h[..., 0]) for h in holes]),
    )
    np.testing.assert_array_equal(got["image"].numpy(), expected)
    assert (expected[0, 2:5, 3:6] == 128).all()  # holes zeroed: 0.0 in [-1, 1] is 128
    tall = np.full((2 * SIZE, SIZE), 255, np.uint8)  # holes above and below the centre crop
    tall[SIZE // 2 : SIZE // 2 + SIZE] = holes[0, ..., 0]
    cropped = functions["inpaint_bytes"](
        image_bytes=strings([encoded(images[0])]), hole_mask_bytes=strings([encoded(tall)])
    )
    np.testing.assert_array_equal(cropped["image"].numpy()[0], expected[0])
