"""SynthFaces' morphable model: exported in the face3d format, its coefficients re-render samples."""

from __future__ import annotations

import numpy as np
import pytest

from tfface.data.labels import CELEBAMASK_HQ_19
from tfface.face3d import (
    CoefficientLayout,
    FaceRenderer,
    load_morphable_model,
    save_morphable_model,
)
from tfface.synth import SynthFaces

SIZE = 64


@pytest.fixture(scope="module")
def generator() -> SynthFaces:
    return SynthFaces(seed=0, image_size=SIZE, uv_size=48)


@pytest.fixture(scope="module")
def renderer(generator: SynthFaces) -> FaceRenderer:
    return FaceRenderer(generator.morphable_model())


def test_the_model_is_a_valid_symmetric_head(generator: SynthFaces, tmp_path) -> None:
    model = generator.morphable_model()
    assert (model.num_identity, model.num_expression, model.num_texture) == (80, 64, 80)
    assert CoefficientLayout.for_model(model).size == 257
    mirrored = model.uv_coords[model.symmetry]
    np.testing.assert_allclose(mirrored[:, 0], 1.0 - model.uv_coords[:, 0], atol=1e-6)
    np.testing.assert_allclose(mirrored[:, 1], model.uv_coords[:, 1])
    np.testing.assert_allclose(
        model.mean_shape[model.symmetry], model.mean_shape * [-1.0, 1.0, 1.0], atol=1e-5
    )
    # skin, eyes, nose, lips (brows are thinner than the vertex grid spacing)
    assert set(np.unique(model.region_labels)) >= {1, 4, 5, 6, 7, 9}
    loaded = load_morphable_model(save_morphable_model(model, tmp_path / "synthfaces.npz"))
    np.testing.assert_array_equal(loaded.texture_basis, model.texture_basis)


@pytest.mark.parametrize(
    ("identity", "pose", "expression", "colour_tolerance"),
    [
        (3, (20.0, 5.0, 0.0), "neutral", 0.02),
        (3, (-50.0, 0.0, 10.0), "mouth_open", 0.02),
        (5, (0.0, -15.0, 0.0), "smile", 0.03),
        (120, (10.0, 0.0, 0.0), "neutral", 0.04),  # not a basis identity: projected
    ],
)
def test_rendering_the_coefficients_reproduces_the_sample(
    generator: SynthFaces,
    renderer: FaceRenderer,
    identity: int,
    pose: tuple,
    expression: str,
    colour_tolerance: float,
) -> None:
    yaw, pitch, roll = pose
    sample = generator.sample(
        identity, yaw=yaw, pitch=pitch, roll=roll, expression=expression, with_coefficients=True
    )
    render = renderer(sample["coefficients"][None], SIZE)
    mask = render.mask.numpy()[0, ..., 0] > 0.5
    head = sample["visibility"]
    # Hair, neck, shoulders and glasses are not part of the morphable model: where the sample
    # shows them, whether the head is behind is unknown, so only head and background pixels count.
    counted = head | (sample["label_map_19"] == CELEBAMASK_HQ_19.index("background"))
    predicted = mask & counted
    iou = np.sum(predicted & head) / np.sum(predicted | head)
    assert iou >= 0.99
    both = mask & head
    colour_error = np.abs(render.image.numpy()[0][both] - sample["image"][both] / 255.0).mean()
    assert colour_error <= colour_tolerance
    # back-face culling changes almost nothing on the closed head (only a few pixels where
    # the procedural surface folds over itself, at the ears and nostrils)
    culled = FaceRenderer(renderer.model, cull_backfaces=True)(sample["coefficients"][None], SIZE)
    changed = culled.triangle_map.numpy() != render.triangle_map.numpy()
    assert changed.sum() <= 0.01 * mask.sum()
    landmarks = renderer.landmarks(sample["coefficients"][None], SIZE).numpy()[0]
    assert np.median(np.linalg.norm(landmarks[:, :2] - sample["landmarks"][:, :2], axis=1)) < 1.5


def test_coefficients_are_opt_in_and_change_no_other_output(generator: SynthFaces) -> None:
    plain = generator.sample(7, yaw=30.0, occluder="hand", expression="smile")
    fitted = generator.sample(
        7, yaw=30.0, occluder="hand", expression="smile", with_coefficients=True
    )
    assert "coefficients" not in plain
    assert set(fitted) == set(plain) | {"coefficients"}
    for key in plain:
        assert plain[key].tobytes() == fitted[key].tobytes(), key
    coefficients = fitted["coefficients"]
    assert coefficients.dtype == np.float32 and coefficients.shape == (257,)
    parts = CoefficientLayout.for_model(generator.morphable_model()).split(coefficients)
    np.testing.assert_allclose(parts["angles"].numpy(), np.deg2rad([30.0, 0.0, 0.0]), atol=1e-6)
