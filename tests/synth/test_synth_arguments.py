"""The SynthFaces command-line arguments (`tfface synth`, `tfface data build synthfaces`)."""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pytest

from tfface.config import get_preset
from tfface.synth.arguments import add_synth_arguments, synth_config_from_arguments


def parse(*argv: str):
    parser = argparse.ArgumentParser()
    add_synth_arguments(parser)
    return synth_config_from_arguments(parser.parse_args(list(argv)))


def test_flags_override_the_preset() -> None:
    config = parse("--preset", "tiny", "--identities", "3", "--yaws", "0", "45")
    tiny = get_preset("synthfaces", "tiny")
    assert config == dataclasses.replace(tiny, identities=3, yaws=(0.0, 45.0))


@pytest.mark.parametrize(
    ("argv", "scene_per_pose"),
    [
        ((), True),
        (("--shared-scene",), False),
        (("--no-shared-scene",), True),
        (("--set", "scene_per_pose=false"), False),
        (("--shared-scene", "--set", "scene_per_pose=true"), True),  # --set comes last
    ],
)
def test_shared_scene_flag_sets_scene_per_pose(argv: tuple[str, ...], scene_per_pose: bool) -> None:
    assert parse("--preset", "tiny", *argv).scene_per_pose is scene_per_pose


def test_no_shared_scene_overrides_a_config_file(tmp_path) -> None:
    path = tmp_path / "synth.yaml"
    path.write_text("identities: 2\nscene_per_pose: false\n", encoding="utf-8")
    assert parse("--config", str(path)).scene_per_pose is False
    assert parse("--config", str(path), "--no-shared-scene").scene_per_pose is True


def test_tfface_synth_writes_one_scene_per_identity_with_shared_scene(tmp_path) -> None:
    from PIL import Image

    from tfface.synth.writer import write_dataset

    argv = ("--preset", "tiny", "--identities", "1", "--size", "32", "--uv-size", "16")
    folders = {}
    for flag in ("--shared-scene", "--no-shared-scene"):
        config = parse(*argv, flag)
        folders[flag] = tmp_path / flag.strip("-") / "identity_00000"
        summary = write_dataset(config, folders[flag].parent)
        assert summary["config"]["scene_per_pose"] is (flag == "--no-shared-scene")

    def corners(folder, yaw: int) -> np.ndarray:
        """uint8 (2, 4, 4, 3): the top 4 x 4 corners of the yaw's RGB image, background."""
        view = f"yaw{yaw:+04d}_pitch+00_roll+00_neutral"
        image = np.asarray(Image.open(folder / f"{view}_rgb.png"))
        labels = np.asarray(Image.open(folder / f"{view}_label19.png"))  # 0: background
        assert not labels[:4, :4].any() and not labels[:4, -4:].any()
        return np.stack([image[:4, :4], image[:4, -4:]])

    shared, per_pose = folders["--shared-scene"], folders["--no-shared-scene"]
    np.testing.assert_array_equal(corners(shared, 0), corners(shared, 30))
    assert not np.array_equal(corners(per_pose, 0), corners(per_pose, 30))
