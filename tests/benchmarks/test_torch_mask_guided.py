"""The PyTorch twin of the mask-guided GAN step (benchmarks/torch_mask_guided.py) stays a
faithful measuring stick: same networks (parameter counts per network) from the same config,
same graph functions. Skipped where PyTorch is not installed (it is not a tfface dependency;
CI does not install it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

pytest.importorskip(
    "torch",
    reason="PyTorch is not installed (only benchmarks/train_mask_guided.py --torch uses it)",
)
import torch  # noqa: E402

torch.set_num_threads(1)  # a unit test on a shared machine: no OpenMP spinning

from tfface.config import get_preset  # noqa: E402
from tfface.systems import registry  # noqa: E402
from tfface.systems.mask_guided.components import place_features  # noqa: E402

TWIN_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "torch_mask_guided.py"


@pytest.fixture(scope="module")
def twin():
    spec = importlib.util.spec_from_file_location("torch_mask_guided", TWIN_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_twin_has_the_tensorflow_networks_parameter_counts(twin):
    model = get_preset("mask_guided", "tiny").resolved_model()
    tensorflow_networks = registry.system_class("mask_guided").build_networks(model)
    torch_counts = twin.parameter_counts(twin.build_networks(model))
    assert set(torch_counts) == set(tensorflow_networks)
    for name, network in tensorflow_networks.items():
        assert torch_counts[name] == network.count_params(), name


def test_twin_places_features_as_tensorflow(twin):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(3, 5, 7, 4)).astype(np.float32)  # (B, h, w, C)
    boxes = np.array([[0, 0], [30, 41], [13, 6]], np.int32)
    expected = place_features(tf.constant(features), tf.constant(boxes), (16, 16), 4).numpy()
    placed = twin.place_features(
        torch.from_numpy(features).permute(0, 3, 1, 2), torch.from_numpy(boxes).long(), 16, 4
    )
    np.testing.assert_array_equal(placed.permute(0, 2, 3, 1).numpy(), expected)


def test_twin_step_updates_generator_and_discriminators(twin):
    config = get_preset("mask_guided", "tiny")
    step = twin.MaskGuidedStep(config)
    size = config.data.image_size
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 11, size=(2, size, size))
    batch = {
        "image": rng.uniform(-1, 1, (2, size, size, 3)).astype(np.float32),
        "label_map_11": np.eye(11, dtype=np.float32)[labels],
    }
    for name, crop in twin.component_sizes(size).items():
        if name in twin.CROPPED_COMPONENTS:
            batch[f"crop_{name}"] = rng.uniform(-1, 1, (2, *crop, 3)).astype(np.float32)
            batch[f"box_{name}"] = np.array([[10, 12], [20, 8]], np.int32)
            batch[f"append_{name}"] = (rng.uniform(size=(2, size, size, 1)) > 0.9).astype(
                np.float32
            )
    before = {
        name: next(step.networks[name].parameters()).detach().clone()
        for name in ("mask_guided_generator", "discriminator_1", "face_parser")
    }
    losses = step.train_step(twin.torch_batch(batch))
    assert all(torch.isfinite(loss) for loss in losses)
    after = {name: next(step.networks[name].parameters()) for name in before}
    assert not torch.equal(before["mask_guided_generator"], after["mask_guided_generator"])
    assert not torch.equal(before["discriminator_1"], after["discriminator_1"])
    assert torch.equal(before["face_parser"], after["face_parser"])  # frozen P_F
