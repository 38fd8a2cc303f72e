"""ServableVersion / SignatureRunner: the traced signature wrapper gives the restored
signature's exact outputs, for any batch size, and keeps the error mapping."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
import tensorflow as tf
from toy_export import MODEL, toy_images

from serving.batching import BatchingOptions
from serving.errors import ServingError
from serving.servable import ServableOptions, ServableVersion


def toy_inputs(count: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """Valid inputs of every toy signature, `count` examples each."""
    images = toy_images(count, seed=seed)
    mask = np.zeros((count, 8, 8), np.uint8)
    mask[:, 1:5, 3:7] = 1
    return {
        "serving_default": {"image": images},
        "encoded": {
            "image_bytes": np.array([tf.io.encode_png(i).numpy() for i in images], dtype=object)
        },
        "blend": {
            "image": images,
            "mask": mask,
            "strength": np.linspace(0.0, 1.0, count, dtype=np.float32)[:, None],
        },
    }


@pytest.fixture(scope="module")
def servable(toy_export) -> ServableVersion:
    return ServableVersion(
        MODEL, 1, toy_export.version_dir, ServableOptions(BatchingOptions(max_batch_size=1))
    )


@pytest.mark.parametrize("count", [1, 3])
def test_traced_calls_equal_the_restored_signatures(servable, toy_export, count) -> None:
    loaded = tf.saved_model.load(str(toy_export.version_dir))  # an independent copy
    for name, inputs in toy_inputs(count, seed=count).items():
        expected = loaded.signatures[name](**{k: tf.constant(v) for k, v in inputs.items()})
        got = servable.signature(name).call(inputs)
        assert set(got) == set(expected)
        for output, value in expected.items():
            assert got[output].dtype == value.dtype.as_numpy_dtype
            np.testing.assert_array_equal(got[output], value.numpy(), err_msg=f"{name}/{output}")


def test_one_trace_serves_every_batch_size(servable) -> None:
    runner = servable.signature("serving_default")
    traced = runner.traced
    for count in (1, 2, 5):
        assert runner.call(toy_inputs(count, seed=0)["serving_default"])["image"].shape[0] == count
    assert runner.traced is traced
    assert traced.structured_input_signature[0][0]["image"].shape.as_list() == [None, 8, 8, 3]


def test_kernel_errors_still_name_the_signature(servable) -> None:
    garbage = {"image_bytes": np.array([b"\x00garbage"], dtype=object)}
    with pytest.raises(ServingError) as raised:
        servable.signature("encoded").call(garbage)
    assert raised.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.message.startswith("signature 'encoded': ")
    # and the runner still works afterwards
    outputs = servable.signature("encoded").call(toy_inputs(1, seed=2)["encoded"])
    assert outputs["image"].shape == (1, 8, 8, 3)
