"""`tfface edit`: broken picture files end in one clear line (exit 2), and any picture size is
centre-cropped and resized to the run's size (one policy with `tfface predict`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from picture_files import (
    noise_image,
    stripes_label_map,
    write_not_an_image,
    write_png,
    write_truncated_png,
)
from PIL import Image
from tiny_mask_guided_run import write_tiny_mask_guided_run

from tfface.cli.main import main

SIZE = 32


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny mask_guided run directory (config.yaml + an untrained checkpoint) at 32 px."""
    return write_tiny_mask_guided_run(tmp_path_factory.mktemp("edit") / "run", SIZE)


@pytest.fixture
def pictures(tmp_path: Path) -> dict[str, Path]:
    return {
        "image": write_png(tmp_path / "a.png", noise_image(SIZE, SIZE)),
        "mask": write_png(tmp_path / "a_mask.png", stripes_label_map(SIZE, SIZE)),
        "text": write_not_an_image(tmp_path / "text.png"),
        "cut": write_truncated_png(tmp_path / "cut.png", noise_image(96, 96)),
        "cut_mask": write_truncated_png(tmp_path / "cut_mask.png", noise_image(96, 96)[..., 0]),
    }


def test_broken_files_exit_2_with_one_line(
    tmp_path: Path, pictures: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    # files are read before any model is built: a run directory with a config is enough
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text(f"system: mask_guided\ndata:\n  image_size: {SIZE}\n")
    image, mask, out = str(pictures["image"]), str(pictures["mask"]), str(tmp_path / "out.png")
    cases = {
        "not an image": (
            ["--image", str(pictures["text"]), "--mask", mask],
            "not a readable image",
        ),
        "truncated image": (["--image", str(pictures["cut"]), "--mask", mask], "truncated"),
        "truncated mask": (["--image", image, "--mask", str(pictures["cut_mask"])], "truncated"),
        "truncated edited mask": (
            ["--image", image, "--mask", mask, "--edited-mask", str(pictures["cut_mask"])],
            "truncated",
        ),
    }
    for case, (arguments, expected) in cases.items():
        edit = ["edit", str(run), *arguments, "--out", out]
        if "--edited-mask" not in arguments:
            edit += ["--edited-mask", mask]
        assert main(edit) == 2, case
        printed = capsys.readouterr().err
        error = printed.strip().splitlines()[-1]  # after the lines about files read before
        assert error.startswith("tfface edit: error: --"), case
        assert expected in error and "Traceback" not in printed, case
    labels = stripes_label_map(SIZE, SIZE, classes=13)
    bad_labels = str(write_png(tmp_path / "thirteen.png", labels))
    assert (
        main(
            [
                "edit",
                str(run),
                "--image",
                image,
                "--mask",
                bad_labels,
                "--edited-mask",
                mask,
                "--out",
                out,
            ]
        )
        == 2
    )
    assert "values [11, 12] outside 0..10" in capsys.readouterr().err


def test_non_square_pictures_are_centre_cropped(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    wide = noise_image(2 * SIZE, 3 * SIZE)
    image = write_png(tmp_path / "wide.png", wide)
    mask = write_png(tmp_path / "wide_mask.png", stripes_label_map(2 * SIZE, 3 * SIZE))
    out = tmp_path / "out" / "edited.png"
    arguments = ["edit", str(run_dir), "--image", str(image), "--mask", str(mask)]
    assert main([*arguments, "--edited-mask", str(mask), "--out", str(out)]) == 0
    assert np.asarray(Image.open(out)).shape == (SIZE, SIZE, 3)
    error = capsys.readouterr().err
    assert f"wide.png: 96x64 -> centre crop 64x64 -> resized to {SIZE}x{SIZE}" in error
    assert f"wide_mask.png: 96x64 -> centre crop 64x64 -> resized to {SIZE}x{SIZE}" in error
