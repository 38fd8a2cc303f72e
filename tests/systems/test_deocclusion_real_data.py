"""deocclusion's real-data path: photos + face masks + RGBA occluders + a face_reconstruction
export -> `tfface data build occlusion --reconstruction` -> records deocclusion's DATA reads
(the pseudo ground-truth coefficients of the CLEAN face, methods B2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from learning_check import held_out_batch
from PIL import Image
from system_kit import OCCLUSIONS, make_system, tiny_config

from pipelines import occlusion
from tfface.export.writer import export_system
from tfface.systems.deocclusion.data import deocclusion_batches
from tfface.systems.deocclusion.masks import visible_face

SIZE = 64


def save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.fixture(scope="module")
def photos(synthfaces_data, tmp_path_factory) -> dict:
    """Two clean faces and their binary face masks in folders (as a user has them), one RGBA
    occluder, and a tiny face_reconstruction export (random weights) with its model."""
    data_dir = synthfaces_data(OCCLUSIONS)
    root = tmp_path_factory.mktemp("deocclusion_photos")
    records = held_out_batch(data_dir, ("image_unoccluded", "face_mask"), 2)
    faces = np.round((records["image_unoccluded"].numpy() + 1.0) * 127.5).astype(np.uint8)
    masks = records["face_mask"].numpy()[..., 0] > 0
    for name, face, mask in zip(("a.png", "sub/b.png"), faces, masks, strict=True):
        save(root / "faces" / name, face)
        save(root / "masks" / name, (mask * 255).astype(np.uint8))
    band = np.zeros((16, 24, 4), np.uint8)
    band[..., :3] = (30, 30, 30)
    band[4:12, :, 3] = 255
    save(root / "occluders" / "band.png", band)
    fitter = make_system(tiny_config("face_reconstruction", data_dir))
    export = export_system(fitter, "face_reconstruction", root / "models", "fit", verify=False)
    return {
        "root": root,
        "faces": faces,
        "masks": masks,
        "export": str(export.version_dir),
        "model": f"{data_dir}/morphable_model.npz",
    }


def build(photos: dict, output: Path, *extra: str) -> dict:
    root = photos["root"]
    return occlusion.main(
        ["--input", str(root / "faces"), "--masks", str(root / "masks"), "--mask-type", "binary",
         "--occluders", str(root / "occluders"), "--variants", "2", "--size", str(SIZE),
         "--splits", "train=1,validation=0,test=0", "--output", str(output), *extra]
    )  # fmt: skip


def test_the_occlusion_job_fits_the_clean_faces_for_deocclusion(photos, tmp_path) -> None:
    output = tmp_path / "occluded"
    fit = ["--reconstruction", photos["export"], "--morphable-model", photos["model"]]
    build(photos, output, *fit)
    assert (output / "morphable_model.npz").read_bytes() == Path(photos["model"]).read_bytes()
    features = ("image", "image_unoccluded", "face_mask", "occlusion_mask", "coefficients")
    records = held_out_batch(str(output), (*features, "landmarks", "key"), 4)
    reconstruct = tf.saved_model.load(photos["export"]).signatures["serving_default"]
    for index, key in enumerate(records["key"].numpy()):
        face = 0 if b"/a.png#" in key else 1
        expected = reconstruct(image=photos["faces"][face : face + 1])
        np.testing.assert_allclose(
            records["coefficients"][index], expected["coefficients"][0], atol=1e-5
        )
        np.testing.assert_allclose(
            records["landmarks"][index], expected["landmarks_3d"][0], atol=1e-3
        )
        # face_mask: the CLEAN face (the given mask), the visible face is M_gt
        np.testing.assert_array_equal(records["face_mask"][index, ..., 0], photos["masks"][face])
        occluded = records["occlusion_mask"][index, ..., 0].numpy() > 0
        assert occluded.any()
        visible = visible_face(records["face_mask"][index], records["occlusion_mask"][index])
        np.testing.assert_array_equal(visible[..., 0] > 0, photos["masks"][face] & ~occluded)

    config = tiny_config("deocclusion", str(output), "train.batch_size=2")
    batch = next(iter(deocclusion_batches(config, str(output))))
    assert batch["coefficients"].shape == (2, records["coefficients"].shape[1])
    system = make_system(config)
    losses = system.held_out_losses(batch)
    assert all(np.all(np.isfinite(value)) for value in losses.values())


def test_the_fit_needs_a_matching_export_and_folder_faces(photos, tmp_path, capsys) -> None:
    root, model = photos["root"], ["--morphable-model", photos["model"]]
    fit = ["--reconstruction", photos["export"], *model]
    refused = [
        (["--reconstruction", photos["export"]], "go together"),
        (["--reconstruction", str(tmp_path / "none"), *model], "not found"),
        (["--reconstruction", str(root), *model], "not a face_reconstruction export"),
    ]
    for extra, message in refused:
        with pytest.raises(SystemExit):
            build(photos, tmp_path / "out", *extra)
        assert message in capsys.readouterr().err
    with pytest.raises(SystemExit):
        occlusion.main(["--from-synthfaces", "--identities", "1", "--size", "64", "--output",
                        str(tmp_path / "c"), *fit])  # fmt: skip
    assert "SynthFaces has exact coefficients" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        occlusion.main(["--input", str(root / "faces"), "--occluders", str(root / "occluders"),
                        "--size", "32", "--output", str(tmp_path / "d"), *fit])  # fmt: skip
    assert "fits 64 px faces; use --size 64" in capsys.readouterr().err
