"""Beam job `wild_faces`: faces in any image folder, detected with MTCNN and similarity-aligned.

    tfface data build wild_faces --input PHOTOS --output OUT --size 256 \\
        [--min-face-size 40] [--keep largest|all] [--zoom 1.0] [--border constant]

For FFHQ, CelebA, DeepFashion crops or your own photos. Each image is read
(EXIF orientation applied), MTCNN (Zhang et al., "Joint face detection and
alignment using multitask cascaded convolutional networks", 2016; the `mtcnn`
1.0 package, weights inside the wheel, so offline) finds faces and 5 landmarks,
and each kept face is aligned by the least-squares similarity (Umeyama) that
maps its landmarks to the ArcFace 112 x 112 5-point template scaled to --size
(`tfface.geometry.alignment`; --zoom < 1 keeps more context around the face).
The detector is loaded once per worker (`DoFn.setup`).

Detection runs on a copy whose longer side is at most --max-detect-side
(speed on large photos); alignment samples the full-resolution image. The face
size is the longer side of the detection box, in original pixels. Faces below
--detector-min-face are not found at all ('no_face'); found faces smaller than
--min-face-size are 'tiny_face'.

Records: `image` (aligned), `domain`, and `metadata_names` / `metadata_values`
= confidence, face_size, box_x, box_y, box_width, box_height (original pixels).
With --keep all every face of at least --min-face-size is an example (key
'<relative path>#face<i>', faces by decreasing size); the default keeps the
largest. Rejects: 'corrupt_image', 'no_face', 'tiny_face'.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.common.folders import check_folder_arguments, group_key
from pipelines.common.image_io import list_files, read_image, relative_path
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError
from tfface.geometry.alignment import BORDERS, align_face
from tfface.geometry.face_detection import (
    Face,
    detect_faces,
    load_detector,
    parse_detections,  # noqa: F401 (this job's API)
)

SOURCE = "wild_faces"
METADATA_NAMES = ["confidence", "face_size", "box_x", "box_y", "box_width", "box_height"]


@dataclass(frozen=True)
class WildImage:
    """One image file."""

    path: str
    relative: str


class WildFacesDoFn(SourceDoFn):
    """Detects and aligns the faces of one image."""

    def __init__(
        self,
        size: int,
        min_face_size: float,
        detector_min_face: int,
        min_confidence: float,
        keep: str,
        zoom: float,
        border: str,
        max_detect_side: int,
        domain: str,
        depth: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.size = size
        self.min_face_size = min_face_size
        self.detector_min_face = detector_min_face
        self.min_confidence = min_confidence
        self.keep = keep
        self.zoom = zoom
        self.border = border
        self.max_detect_side = max_detect_side
        self.domain = domain
        self.depth = depth
        self.detector = None

    def load(self) -> None:
        self.detector = load_detector()

    def key(self, item: WildImage) -> str:
        return f"{SOURCE}/{item.relative}"

    def detect(self, image: np.ndarray) -> list[Face]:
        """Faces of an RGB image, largest first, above --min-confidence."""
        if self.detector is None:
            self.load()
        return detect_faces(
            self.detector, image, self.max_detect_side, self.detector_min_face, self.min_confidence
        )

    def convert(self, item: WildImage) -> Iterator[tuple[dict[str, Any], str]]:
        image = read_image(item.path)
        faces = self.detect(image)
        if not faces:
            raise RejectError("no_face")
        faces = [face for face in faces if face.size >= self.min_face_size]
        if not faces:
            raise RejectError("tiny_face")
        if self.keep == "largest":
            faces = faces[:1]
        for index, face in enumerate(faces):
            aligned, _ = align_face(image, face.landmarks, self.size, self.zoom, self.border)
            key = self.key(item) if self.keep == "largest" else f"{self.key(item)}#face{index}"
            record = {
                "key": key,
                "image": aligned,
                "domain": self.domain,
                "metadata_names": METADATA_NAMES,
                "metadata_values": [face.confidence, face.size, *face.box],
            }
            yield record, group_key(item.relative, self.depth)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Faces in an image folder, MTCNN-detected and 5-point aligned -> TFRecords."
    )
    parser.add_argument("--input", required=True, help="folder of images (searched recursively)")
    parser.add_argument("--size", type=int, default=256, help="aligned output side (default 256)")
    parser.add_argument(
        "--min-face-size",
        type=float,
        default=40.0,
        help="reject faces smaller than this (px, longer box side)",
    )
    parser.add_argument(
        "--detector-min-face", type=int, default=20, help="smallest face MTCNN searches for (px)"
    )
    parser.add_argument(
        "--min-confidence", type=float, default=0.9, help="ignore detections below this confidence"
    )
    parser.add_argument(
        "--keep",
        choices=("largest", "all"),
        default="largest",
        help="faces per image (default largest)",
    )
    parser.add_argument(
        "--zoom",
        type=float,
        default=1.0,
        help="face scale in the crop; 1 = ArcFace crop, < 1 more context",
    )
    parser.add_argument(
        "--border",
        choices=BORDERS,
        default="constant",
        help="fill outside the photo (default constant = black)",
    )
    parser.add_argument(
        "--max-detect-side", type=int, default=1024, help="detect on a copy at most this large"
    )
    parser.add_argument("--domain", default="photo", help="domain written with each example")
    parser.add_argument(
        "--group-depth",
        type=int,
        default=0,
        help="split by the first N folders (e.g. per person); 0 = per file",
    )
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    if arguments.zoom <= 0 or arguments.max_detect_side < 16 or arguments.detector_min_face < 12:
        parser.error("need --zoom > 0, --max-detect-side >= 16 and --detector-min-face >= 12")
    paths = list_files(arguments.input)
    if not paths:
        parser.error(f"no images under {arguments.input}")
    items = [WildImage(path, relative_path(path, arguments.input)) for path in paths]
    dofn = WildFacesDoFn(
        arguments.size,
        arguments.min_face_size,
        arguments.detector_min_face,
        arguments.min_confidence,
        arguments.keep,
        arguments.zoom,
        arguments.border,
        arguments.max_detect_side,
        arguments.domain,
        arguments.group_depth,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    extra = {"template": "arcface_112", "zoom": arguments.zoom, "metadata_names": METADATA_NAMES}
    return run_job(SOURCE, items, dofn, arguments, options, extra)


if __name__ == "__main__":
    run_as_script("pipelines.wild_faces")
