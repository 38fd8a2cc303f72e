"""The inpainting systems' shared edges (warp_inpainting, gated_inpainting): the export's
signatures and in-graph checks (tfface/systems/inpainting_export.py) and the `inpaint` API's
input checks (tfface/systems/inpainting_inputs.py, `InpaintingSystem`), on each system's
shared trained case."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pytest
import tensorflow as tf
from system_kit import FACES, SIZE, Case

INPAINTERS = (Case("warp_inpainting", FACES), Case("gated_inpainting", FACES))


@pytest.fixture(scope="module", params=INPAINTERS, ids=str)
def trained(request, trained_case) -> dict:
    """The system's shared trained case (2 steps on FACES): do not change it."""
    return trained_case(request.param)


def test_export_signatures_match_inpaint_and_check_their_inputs(trained, exported_case) -> None:
    system, batch = trained["system"], next(iter(trained["batches"]))
    result = exported_case(Case(system.NAME, FACES))
    assert set(result.signatures) == {"serving_default", "inpaint", "inpaint_unit_mask"} | {
        "serving_bytes",
        "inpaint_bytes",
        "inpaint_unit_mask_bytes",
    }
    loaded = tf.saved_model.load(str(result.version_dir))
    images = tf.cast(tf.round((batch["image"] + 1.0) * 127.5), tf.uint8)
    holes = batch["hole_mask"]
    served = loaded.signatures["serving_default"](
        image=images, hole_mask=tf.cast(holes * 255, tf.uint8)
    )
    with system.ema.swap() if system.ema is not None else nullcontext():  # exported: EMA weights
        expected = system.inpaint(images.numpy() / 127.5 - 1.0, holes.numpy())
    expected = np.round((expected + 1.0) * 127.5).astype(np.int32)
    assert served["image"].dtype == tf.uint8 and served["image"].shape == (4, SIZE, SIZE, 3)
    assert np.abs(served["image"].numpy().astype(np.int32) - expected).max() <= 1
    unit = loaded.signatures["inpaint_unit_mask"](image=images, hole_mask=holes)
    np.testing.assert_array_equal(unit["image"].numpy(), served["image"].numpy())
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="input hole_mask must hold only the values 0, 255"
    ):
        loaded.signatures["inpaint"](image=images, hole_mask=tf.cast(holes * 128, tf.uint8))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="input hole_mask must hold only the values 0, 1"
    ):
        loaded.signatures["inpaint_unit_mask"](image=images, hole_mask=holes * 0.5)
    wrong_channels = tf.zeros([4, SIZE, SIZE, 3], tf.uint8)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"input hole_mask must be uint8 \(batch, 64, 64, 1\)"
    ):
        loaded.signatures["inpaint"](image=images, hole_mask=wrong_channels)
    small = {"image": images[:, :32, :32], "hole_mask": tf.zeros([4, 32, 32, 1], tf.uint8)}
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"input image must be uint8 \(batch, 64, 64, 3\)"
    ):
        loaded.signatures["inpaint"](**small)


def test_inpaint_api_rejects_bad_input(trained) -> None:
    system, batch = trained["system"], next(iter(trained["batches"]))
    images, holes = batch["image"].numpy(), batch["hole_mask"].numpy()
    assert system.inpaint(images[0], holes[0, ..., 0]).shape == (1, SIZE, SIZE, 3)
    assert system.inpaint(images[:2], (holes[:2] * 255).astype(np.uint8)).shape[0] == 2
    assert system.inpaint(images[:3], holes[0] > 0).shape[0] == 3  # one mask for three images
    with pytest.raises(ValueError, match="32x32 but the model works on 64x64"):
        system.inpaint(images[:, :32, :32], holes[:, :32, :32])
    with pytest.raises(ValueError, match="hole_masks are 32x32"):
        system.inpaint(images, holes[:, :32, :32])
    with pytest.raises(ValueError, match="need 1 channel"):
        system.inpaint(images, np.repeat(holes, 3, axis=-1))
    with pytest.raises(ValueError, match=r"hold 0 \(known\) and 1 \(hole\) only"):
        system.inpaint(images, holes * 0.5)
    with pytest.raises(ValueError, match=r"got values \[2.0\]"):
        system.inpaint(images, holes * 2)
    with pytest.raises(ValueError, match=r"0 / 255"):
        system.inpaint(images, holes.astype(np.uint8))  # uint8 masks hold 0 / 255
    with pytest.raises(ValueError, match="marks every pixel as a hole"):
        system.inpaint(images[:1], np.ones((SIZE, SIZE), bool))
    with pytest.raises(ValueError, match="float images"):
        system.inpaint((images * 127.5 + 127.5).astype(np.uint8), holes)
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\]"):
        system.inpaint(images * 3.0, holes)
    with pytest.raises(ValueError, match="has 3 examples but hole_masks has 2"):
        system.inpaint(images[:3], holes[:2])
    with pytest.raises(ValueError, match=r"hole_mask must have shape \(B, 64, 64, 1\)"):
        system({"image": batch["image"], "hole_mask": tf.zeros([4, SIZE, SIZE, 2])})
    with pytest.raises(ValueError, match="uint8 masks hold 0 / 255"):  # call takes {0, 1}
        system({"image": batch["image"], "hole_mask": tf.cast(batch["hole_mask"] * 255, tf.uint8)})
    with pytest.raises(ValueError, match="image must be float32"):
        system({"image": tf.zeros([4, SIZE, SIZE, 3], tf.uint8), "hole_mask": batch["hole_mask"]})
