"""Beam job `occlusion`: K synthetically occluded variants of every face, with ground truth.

    tfface data build occlusion --input FACES [--masks MASKS --mask-type label19] \\
        --occluders OCCLUDERS_RGBA [--textures TEXTURES] --variants 4 --output OUT --size 256
    tfface data build occlusion --from-synthfaces --identities 100 --output OUT --size 128

Implements the data augmentation of the de-occlusion system (Yin 2022, sec.
5.3.2, Fig. 5.3 (a); `tfface.data.occlusion`): I = I_f (1 - M_o) + I_o M_o,
M_gt = M_f (1 - M_o). Each example holds `image` (I), `image_unoccluded` (I_f),
`occlusion_mask` (M_o), `face_mask` (M_gt, the visible face) and `occluder`
(occluder file stem, or SynthFaces occluder name).

Folder mode: faces from --input (RGB, --fit to --size); face masks M_f from
--masks, matched by relative path without extension, as --mask-type 'binary'
(> 127 = face), 'label19' (CELEBAMASK_HQ_19 label map) or 'label11'
(PORTRAIT_11); for label maps the face is PORTRAIT_11 classes 1..9 (skin,
brows, eyes, nose, lips, mouth; eyeglasses and ears count as skin), the
regions the thesis gathers. Without --masks the whole image is the face.
Occluders are RGBA images in --occluders (alpha = mask, binarised at 128),
textures any images in --textures; variant k of a face is seeded with
(--seed, crc32(relative path), k). Occluder and texture files are checked on
the driver (an occluder without alpha stops the job); the workers load them
lazily with a cache. Rejects: 'corrupt_image', 'missing_mask', 'corrupt_mask',
'bad_mask' (label values outside the table), 'wrong_size' (mask aspect differs
from the image), 'empty_face_mask', 'corrupt_occluder', 'bad_occluder' (fully transparent),
'corrupt_texture'.

Deocclusion records (folder mode with --reconstruction EXPORT --morphable-model NPZ): the
pseudo ground truth of Yin 2022 sec. 5.4 (methods B2): every CLEAN face is fitted once by
a face_reconstruction SavedModel (`tfface export` of `tfface train face_reconstruction`,
its serving_default `reconstruct`), and each of its variants also holds that fit's
`coefficients` and `landmarks` (68 x (x, y, depth) pixels, the export's `landmarks_3d`);
`face_mask` is then the face of the CLEAN image (from --masks; without --masks, the fit's
render mask), the convention of SynthFaces records, so deocclusion reads M_gt = face_mask
minus occlusion_mask, and L_pix / I_p see the face under the occluder. The morphable
model is copied to OUT/morphable_model.npz, where deocclusion (and face_reconstruction)
read it.

SynthFaces mode (--from-synthfaces): identity i renders each of
--synth-occluders (default all seven) over its face with SynthFaces' exact
occlusion masks, yaw uniform in [-max_yaw, max_yaw] seeded by (seed, i,
occluder). `identity` and `pose` are added. Splits by face / identity.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from pipelines.common.folders import add_folder_arguments, check_folder_arguments, group_key
from pipelines.common.image_io import (
    fit_square,
    list_files,
    read_image,
    relative_path,
    resize_mask,
    strip_extension,
)
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError
from pipelines.common.resources import LazyImages, images_without_alpha
from pipelines.uv_fits import MORPHABLE_MODEL_FILE
from tfface.config.common import OCCLUDERS
from tfface.data.labels import CELEBAMASK_HQ_19, MAP_19_TO_11, PORTRAIT_11
from tfface.data.occlusion import OcclusionConfig, occlude

SOURCE = "occlusion"
MASK_TYPES = ("binary", "label19", "label11")
FACE_CLASSES_11 = np.arange(1, 10)


@dataclass(frozen=True)
class FaceItem:
    """One face image and its mask path (None: none given, '' with --masks: missing)."""

    relative: str
    path: str
    mask: str | None


def face_mask_from(mask_image: np.ndarray, mask_type: str) -> np.ndarray:
    """A read mask (uint8 (H, W)) -> bool face mask; RejectError('bad_mask') on invalid labels."""
    if mask_type == "binary":
        return mask_image > 127
    table = CELEBAMASK_HQ_19 if mask_type == "label19" else PORTRAIT_11
    if int(mask_image.max()) >= table.num_classes:
        raise RejectError("bad_mask")
    labels = MAP_19_TO_11[mask_image] if mask_type == "label19" else mask_image
    return np.isin(labels, FACE_CLASSES_11)


class FolderOcclusionDoFn(SourceDoFn):
    """Reads a face (and its mask) and writes K occluded variants."""

    def __init__(
        self,
        size: int,
        fit: str,
        depth: int,
        mask_type: str,
        occluders: list[tuple[str, str]],
        textures: list[str],
        variants: int,
        seed: int,
        config: OcclusionConfig,
        reconstruction: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size, self.fit, self.depth, self.mask_type = size, fit, depth, mask_type
        self.reconstruction = reconstruction
        self.reconstruct = None
        self.occluder_names = [name for name, _ in occluders]
        self.occluder_paths = [path for _, path in occluders]
        self.texture_paths = textures
        self.variants, self.seed, self.config = variants, seed, config
        self.occluders: LazyImages | None = None
        self.textures: LazyImages | None = None

    def load(self) -> None:
        self.occluders = LazyImages(self.occluder_paths, "RGBA", "corrupt_occluder")
        self.textures = LazyImages(self.texture_paths, "RGB", "corrupt_texture")
        if self.reconstruction:
            import tensorflow as tf

            loaded = tf.saved_model.load(self.reconstruction)
            self.reconstruct = loaded.signatures["serving_default"]

    def fit_face(self, face: np.ndarray) -> dict[str, np.ndarray]:
        """The export's fit of one clean face uint8 (S, S, 3): {'coefficients' (C,),
        'landmarks' (68, 3) pixels, 'render_mask' bool (S, S)}."""
        fit = {name: value.numpy()[0] for name, value in self.reconstruct(image=face[None]).items()}
        return {
            "coefficients": fit["coefficients"],
            "landmarks": fit["landmarks_3d"],
            "render_mask": fit["render_mask"][..., 0] > 0.5,
        }

    def key(self, item: FaceItem) -> str:
        return f"{SOURCE}/{item.relative}"

    def convert(self, item: FaceItem) -> Iterator[tuple[dict[str, Any], str]]:
        if self.occluders is None:
            self.load()
        if item.mask == "":
            raise RejectError("missing_mask")
        image = read_image(item.path)
        fitted: dict[str, np.ndarray] = {}
        if self.reconstruct is not None:
            fitted = self.fit_face(fit_square(image, self.size, self.fit))
        if item.mask is None:
            face_mask = np.ones(image.shape[:2], bool)
        else:
            mask_image = read_image(item.mask, "L", "corrupt_mask")
            if (
                abs(mask_image.shape[0] * image.shape[1] - mask_image.shape[1] * image.shape[0])
                > 0.01 * image.shape[0] * image.shape[1]
            ):
                raise RejectError("wrong_size")
            face_mask = face_mask_from(resize_mask(mask_image, image.shape[:2]), self.mask_type)
        face = fit_square(image, self.size, self.fit)
        face_mask = fit_square(face_mask, self.size, self.fit, is_mask=True)
        if fitted and item.mask is None:
            face_mask = fitted["render_mask"]
        if not face_mask.any():
            raise RejectError("empty_face_mask")
        for variant in range(self.variants):
            rng = np.random.default_rng([self.seed, zlib.crc32(item.relative.encode()), variant])
            try:
                result = occlude(face, face_mask, self.occluders, self.textures, rng, self.config)
            except ValueError as error:  # a fully transparent occluder
                raise RejectError("bad_occluder") from error
            occluder = self.occluder_names[result.occluder_index]
            record = {
                "key": f"{self.key(item)}#{variant}",
                "image": result.image,
                "image_unoccluded": face,
                "occlusion_mask": result.occlusion_mask,
                "face_mask": result.face_mask,
                "occluder": occluder,
                "metadata_names": ["scale", "rotation", "textured"],
                "metadata_values": [
                    result.scale,
                    result.rotation,
                    float(result.texture_index >= 0),
                ],
            }
            if fitted:  # deocclusion records (module docstring)
                record["face_mask"] = face_mask
                record["coefficients"] = fitted["coefficients"]
                record["landmarks"] = fitted["landmarks"]
            yield record, group_key(item.relative, self.depth)


class SynthOcclusionDoFn(SourceDoFn):
    """Renders the chosen SynthFaces occluders over one identity."""

    def __init__(
        self,
        seed: int,
        size: int,
        uv_size: int,
        occluders: tuple[str, ...],
        max_yaw: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.seed, self.size, self.uv_size = seed, size, uv_size
        self.occluders, self.max_yaw = occluders, max_yaw
        self.generator = None

    def load(self) -> None:
        from tfface.synth import SynthFaces

        self.generator = SynthFaces(self.seed, self.size, self.uv_size)

    def key(self, item: int) -> str:
        return f"{SOURCE}/synthfaces/seed{self.seed}/identity{item:05d}"

    def convert(self, item: int) -> Iterator[tuple[dict[str, Any], str]]:
        if self.generator is None:
            self.load()
        for occluder in self.occluders:
            rng = (
                np.random.default_rng([self.seed, item, OCCLUDERS.index(occluder), 0x0CC])
                if self.max_yaw
                else None
            )
            yaw = (
                float(np.round(rng.uniform(-self.max_yaw, self.max_yaw), 3))
                if rng is not None
                else 0.0
            )
            sample = self.generator.sample(item, yaw, 0.0, 0.0, "rgb", occluder)
            record = {
                "key": f"{self.key(item)}/{occluder}",
                "image": sample["image"],
                "image_unoccluded": sample["image_unoccluded"],
                "occlusion_mask": sample["occlusion_mask"],
                "face_mask": sample["face_mask"] & ~sample["occlusion_mask"],
                "occluder": occluder,
                "identity": item,
                "pose": sample["pose"],
            }
            yield record, f"identity{item}"


def _folder_items(arguments, parser) -> list[FaceItem]:
    paths = list_files(arguments.input)
    if not paths:
        parser.error(f"no images under {arguments.input}")
    masks: dict[str, str] = {}
    if arguments.masks:
        masks = {
            strip_extension(relative_path(path, arguments.masks)): path
            for path in list_files(arguments.masks)
        }
    items = []
    for path in paths:
        relative = relative_path(path, arguments.input)
        mask = masks.get(strip_extension(relative), "") if arguments.masks else None
        items.append(FaceItem(relative, path, mask))
    return items


def _check_reconstruction_size(parser, reconstruction: str, size: int) -> None:
    """Stops the job on the driver unless --reconstruction is a face_reconstruction export
    (its model card) fitting --size px faces."""
    from pathlib import Path

    from tfface.metrics.sources import read_model_card

    card = read_model_card(Path(reconstruction))
    inputs = card.get("signatures", {}).get("serving_default", {}).get("inputs", {})
    if card.get("system") != "face_reconstruction" or "image" not in inputs:
        parser.error(
            f"--reconstruction {reconstruction}: not a face_reconstruction export (`tfface "
            "export` of a `tfface train face_reconstruction` run)"
        )
    fitted = inputs["image"]["shape"][1]
    if fitted != size:
        parser.error(
            f"--reconstruction {reconstruction} fits {fitted} px faces; use --size {fitted}"
        )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Faces -> K occluded variants with image_unoccluded, occlusion_mask and face_mask."
    )
    parser.add_argument("--input", help="folder of face images")
    parser.add_argument(
        "--masks",
        help="folder of face masks / label maps, matched by relative path without extension",
    )
    parser.add_argument(
        "--mask-type",
        choices=MASK_TYPES,
        default="binary",
        help="how to read --masks (default binary)",
    )
    parser.add_argument(
        "--occluders", help="folder of RGBA occluder images (alpha = occluder mask)"
    )
    parser.add_argument(
        "--textures", help="folder of texture patches that may replace an occluder's colours"
    )
    parser.add_argument(
        "--variants", type=int, default=4, help="occluded variants per face (K, default 4)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the variants")
    parser.add_argument(
        "--reconstruction",
        default="",
        help="a face_reconstruction SavedModel version folder (tfface export): fit every clean "
        "face and write deocclusion records (coefficients, landmarks, face_mask = clean face)",
    )
    parser.add_argument(
        "--morphable-model",
        default="",
        help="the .npz morphable model of --reconstruction (copied to OUT/morphable_model.npz)",
    )
    defaults = OcclusionConfig()
    parser.add_argument(
        "--min-scale",
        type=float,
        default=defaults.min_scale,
        help="occluder side / face extent, lower bound",
    )
    parser.add_argument(
        "--max-scale",
        type=float,
        default=defaults.max_scale,
        help="occluder side / face extent, upper bound",
    )
    parser.add_argument(
        "--max-rotation",
        type=float,
        default=defaults.max_rotation,
        help="occluder rotation range, degrees",
    )
    parser.add_argument(
        "--texture-probability",
        type=float,
        default=defaults.texture_probability,
        help="chance of a texture",
    )
    parser.add_argument(
        "--from-synthfaces",
        action="store_true",
        help="render SynthFaces identities with their occluders instead",
    )
    parser.add_argument(
        "--identities", type=int, default=100, help="SynthFaces identities (with --from-synthfaces)"
    )
    parser.add_argument("--first-identity", type=int, default=0, help="first SynthFaces identity")
    parser.add_argument(
        "--synth-occluders",
        nargs="+",
        choices=OCCLUDERS,
        default=list(OCCLUDERS),
        help="SynthFaces occluders",
    )
    parser.add_argument(
        "--max-yaw", type=float, default=0.0, help="SynthFaces: yaw uniform in [-max, max] degrees"
    )
    add_folder_arguments(parser)
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    common = {
        "fractions": arguments.fractions,
        "salt": arguments.split_salt,
        "image_format": arguments.image_format,
        "jpeg_quality": arguments.jpeg_quality,
    }
    if bool(arguments.reconstruction) != bool(arguments.morphable_model):
        parser.error("--reconstruction and --morphable-model go together")
    for flag, path in (
        ("--reconstruction", arguments.reconstruction),
        ("--morphable-model", arguments.morphable_model),
    ):
        if path and not os.path.exists(path):
            parser.error(f"{flag} {path}: not found")
    if arguments.reconstruction:
        _check_reconstruction_size(parser, arguments.reconstruction, arguments.size)
    if arguments.from_synthfaces:
        if arguments.input or arguments.occluders:
            parser.error("--from-synthfaces replaces --input and --occluders")
        if arguments.reconstruction:
            parser.error(
                "--reconstruction fits folder faces; SynthFaces has exact coefficients "
                "(tfface data build synthfaces --occluders ... --coefficients)"
            )
        if (
            arguments.identities < 1
            or not 0 <= arguments.max_yaw <= 90
            or not 16 <= arguments.size <= 2048
        ):
            parser.error("need --identities >= 1, 0 <= --max-yaw <= 90 and 16 <= --size <= 2048")
        dofn = SynthOcclusionDoFn(
            arguments.seed,
            arguments.size,
            arguments.size,
            tuple(arguments.synth_occluders),
            arguments.max_yaw,
            **common,
        )
        items = list(
            range(arguments.first_identity, arguments.first_identity + arguments.identities)
        )
        return run_job(SOURCE, items, dofn, arguments, options, {"occluders_from": "synthfaces"})
    if not arguments.input or not arguments.occluders:
        parser.error("give --input and --occluders (or --from-synthfaces)")
    if arguments.variants < 1:
        parser.error(f"--variants must be >= 1, got {arguments.variants}")
    try:
        config = OcclusionConfig(
            arguments.min_scale,
            arguments.max_scale,
            arguments.max_rotation,
            arguments.texture_probability,
        )
    except ValueError as error:
        parser.error(str(error))
    occluder_paths = list_files(arguments.occluders)
    if not occluder_paths:
        parser.error(f"no occluder images under {arguments.occluders}")
    bad = images_without_alpha(occluder_paths)
    if bad:
        parser.error(
            f"occluders need an alpha channel (RGBA PNG); unreadable or opaque: {', '.join(bad)}"
        )
    occluders = [
        (strip_extension(relative_path(path, arguments.occluders)), path) for path in occluder_paths
    ]
    textures = list_files(arguments.textures) if arguments.textures else []
    items = _folder_items(arguments, parser)
    dofn = FolderOcclusionDoFn(
        arguments.size,
        arguments.fit,
        arguments.group_depth,
        arguments.mask_type,
        occluders,
        textures,
        arguments.variants,
        arguments.seed,
        config,
        arguments.reconstruction,
        **common,
    )
    extra = {
        "occluders_from": "folder",
        "occluder_count": len(occluders),
        "texture_count": len(textures),
        "occlusion_config": asdict(config),
    }
    if arguments.reconstruction:
        extra["reconstruction"] = arguments.reconstruction
    info = run_job(SOURCE, items, dofn, arguments, options, extra)
    if arguments.reconstruction:
        import tensorflow as tf

        target = f"{arguments.output.rstrip('/')}/{MORPHABLE_MODEL_FILE}"
        tf.io.gfile.copy(arguments.morphable_model, target, overwrite=True)
    return info


if __name__ == "__main__":
    run_as_script("pipelines.occlusion")
