"""Beam job `uv_fits`: photos + a face_reconstruction export -> uv_completion's records.

    tfface data build uv_fits --input PHOTOS --reconstruction models/fit/1 \\
        --morphable-model data/fits/morphable_model.npz --output OUT --size 224 --uv-size 256

The real-data path of uv_completion (Yin 2022 section 4.4: the fit of Deng et al. [3] run
over every training image). Every image (as `image_folder` reads them) is fitted by the
face_reconstruction SavedModel (`reconstruct`: coefficients, per-pixel UV coordinates, render
mask) and becomes one example with `image`, `coefficients`, `pose` (the fit's yaw, pitch,
roll in degrees), `uv_coords` (visibility = the render mask), `face_mask` and `uv_blend`
(UV_bl: two Poisson blends of the visible texture into the lit 3DMM texture,
`tfface.systems.uv_completion.uv_targets.BlendTargets`, the function the SynthFaces job
uses). The morphable model of the export is copied to OUT/morphable_model.npz, where
uv_completion reads it.

m_gt: the thesis uses a face-segmentation network that also removes occluders (L1571);
here `--face-masks DIR` gives one mask per image (same relative path, .png, 255 = face),
and without it m_gt is the fit's render mask (occluders then stay in UV_gt).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.common.folders import add_folder_arguments, check_folder_arguments, group_key
from pipelines.common.image_io import fit_square, list_files, read_image, relative_path
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from tfface.data.features import encode_uv
from tfface.face3d.morphable_model import MORPHABLE_MODEL_FILE

SOURCE = "uv_fits"


@dataclass(frozen=True)
class FitImage:
    """One photo and, when given, its face mask file."""

    path: str
    relative: str
    mask_path: str = ""


class UvFitsDoFn(SourceDoFn):
    """Fits one photo with the reconstruction export and computes its UV_bl."""

    def __init__(
        self,
        reconstruction: str,
        morphable_model: str,
        size: int,
        uv_size: int,
        fit: str,
        depth: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.reconstruction = reconstruction
        self.morphable_model = morphable_model
        self.size, self.uv_size, self.fit, self.depth = size, uv_size, fit, depth
        self.reconstruct = None
        self.blend_targets = None

    def load(self) -> None:
        import tensorflow as tf

        from tfface.face3d import load_morphable_model
        from tfface.systems.uv_completion.uv_targets import BlendTargets

        self.reconstruct = tf.saved_model.load(self.reconstruction).signatures["serving_default"]
        self.blend_targets = BlendTargets(load_morphable_model(self.morphable_model), self.uv_size)

    def key(self, item: FitImage) -> str:
        return f"{SOURCE}/{item.relative}"

    def convert(self, item: FitImage) -> Iterator[tuple[dict[str, Any], str]]:
        if self.reconstruct is None:
            self.load()
        image = fit_square(read_image(item.path), self.size, self.fit)  # uint8 (S, S, 3)
        fit = {
            name: value.numpy()[0] for name, value in self.reconstruct(image=image[None]).items()
        }
        visibility = fit["render_mask"][..., 0] > 0.5  # (S, S)
        if item.mask_path:
            mask = fit_square(read_image(item.mask_path, mode="L"), self.size, self.fit, True)
            face_mask = (mask > 127) & visibility
        else:
            face_mask = visibility
        angles = self.blend_targets.renderer.layout.split(fit["coefficients"])["angles"]
        sample = {
            "image": image,
            "uv_coords": fit["uv_coords"],
            "visibility": visibility,
            "face_mask": face_mask,
            "coefficients": fit["coefficients"],
        }
        record = {
            "key": self.key(item),
            "image": image,
            "face_mask": face_mask,
            "uv_coords": encode_uv(fit["uv_coords"], visibility),
            "coefficients": fit["coefficients"],
            "pose": [math.degrees(float(angle)) for angle in np.asarray(angles)],
            "domain": "photo",
            "uv_blend": self.blend_targets(sample),
        }
        yield record, group_key(item.relative, self.depth)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(SOURCE, "Photos + a face_reconstruction export -> uv_completion records.")
    parser.add_argument("--input", required=True, help="folder of face photos")
    parser.add_argument(
        "--reconstruction",
        required=True,
        help="a face_reconstruction SavedModel version folder (tfface export)",
    )
    parser.add_argument(
        "--morphable-model", required=True, help="the .npz morphable model of that export"
    )
    parser.add_argument("--uv-size", type=int, default=256, help="side of UV_bl (default 256)")
    parser.add_argument(
        "--face-masks", default="", help="folder of face masks (same relative paths, .png)"
    )
    add_folder_arguments(parser)
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    for flag, path in (
        ("--reconstruction", arguments.reconstruction),
        ("--morphable-model", arguments.morphable_model),
    ):
        if not os.path.exists(path):
            parser.error(f"{flag} {path}: not found")
    if arguments.uv_size < 16:
        parser.error("--uv-size must be >= 16")
    paths = list_files(arguments.input)
    if not paths:
        parser.error(f"no images under {arguments.input}")
    items = []
    for path in paths:
        relative = relative_path(path, arguments.input)
        mask = ""
        if arguments.face_masks:
            mask = os.path.join(arguments.face_masks, os.path.splitext(relative)[0] + ".png")
        items.append(FitImage(path, relative, mask))
    dofn = UvFitsDoFn(
        arguments.reconstruction,
        arguments.morphable_model,
        arguments.size,
        arguments.uv_size,
        arguments.fit,
        arguments.group_depth,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    info = run_job(
        SOURCE, items, dofn, arguments, options, {"reconstruction": arguments.reconstruction}
    )
    import tensorflow as tf

    target = f"{arguments.output.rstrip('/')}/{MORPHABLE_MODEL_FILE}"
    tf.io.gfile.copy(arguments.morphable_model, target, overwrite=True)
    return info


if __name__ == "__main__":
    run_as_script("pipelines.uv_fits")
