"""Beam job `multipie`: CMU Multi-PIE multiview images, each paired with its frontal view.

Layout (Gross et al., "Multi-PIE", 2010):

    ROOT/session01/multiview/<subject>/<recording>/<camera>/<subject>_<session>_<recording>_<camera token>_<illumination>.png
    e.g. ROOT/session01/multiview/001/01/05_1/001_01_01_051_07.png

where the camera folder '05_1' appears as the token '051' in the file name.
Only the 13 cameras at head height are used, with their yaws (degrees; the
sign follows this table, `CAMERA_YAWS`): 11_0 -90, 12_0 -75, 09_0 -60, 08_0 -45,
13_0 -30, 14_0 -15, 05_1 0, 05_0 15, 04_1 30, 19_0 45, 20_0 60, 01_0 75, 24_0 90.

Each example: `image`, `pose` (yaw, 0, 0), `identity` (subject id), and the
frontal (05_1) image of the same subject, session, recording and illumination
as `target_image` / `target_pose` (the frontal image itself pairs with
itself). `metadata_names` = session, recording, illumination, camera_yaw.

Images (640 x 480) are brought to --size x --size by --fit: 'crop' (default:
the centred 480 x 480 square, which holds the head in every camera), 'pad'
or 'stretch'.

Splits: hash split by subject, or a protocol (overrides it):
  --protocol setting1: session 1 only, subjects 1..150 train, the rest test
    (other sessions rejected 'protocol_excluded').
  --protocol setting2: all sessions, subjects 1..200 train, the rest test.
  (Literature setting 2 (e.g. Tran et al., DR-GAN, CVPR 2017) also keeps only
  neutral expressions: add --neutral-only, which keeps recording 01.)

Rejects: 'bad_name' (path not in the layout, or folder and file name disagree),
'non_horizontal_camera', 'missing_frontal', 'corrupt_image', 'corrupt_target',
'protocol_excluded', 'not_neutral' (with --neutral-only).

    tfface data build multipie --input ROOT/data --output DIR --size 128 --protocol setting1
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.common.folders import add_folder_arguments, check_folder_arguments
from pipelines.common.image_io import fit_square, list_files, read_image, relative_path
from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from pipelines.common.records import RejectError

SOURCE = "multipie"
FRONTAL_CAMERA = "05_1"
CAMERA_YAWS: dict[str, float] = {
    "11_0": -90.0,
    "12_0": -75.0,
    "09_0": -60.0,
    "08_0": -45.0,
    "13_0": -30.0,
    "14_0": -15.0,
    "05_1": 0.0,
    "05_0": 15.0,
    "04_1": 30.0,
    "19_0": 45.0,
    "20_0": 60.0,
    "01_0": 75.0,
    "24_0": 90.0,
}
PROTOCOLS = {
    "setting1": {"sessions": (1,), "train_subjects": 150},
    "setting2": {"sessions": None, "train_subjects": 200},
}
NEUTRAL_RECORDING = 1
_PATH = re.compile(
    r"^session(\d{2})/multiview/(\d{3})/(\d{2})/(\d{2})_(\d)/(\d{3})_(\d{2})_(\d{2})_(\d{3})_(\d{2})\.png$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MultiPieImage:
    """One multiview image, its frontal partner and its protocol split (parsed on the driver)."""

    relative: str
    path: str
    subject: int = 0
    session: int = 0
    recording: int = 0
    camera: str = ""
    illumination: int = 0
    frontal: str | None = None
    split: str | None = None
    reject: str | None = None


def parse_path(relative: str) -> dict[str, Any] | None:
    """Parses a relative path; None if it is not in the layout or folder and file name disagree."""
    match = _PATH.match(relative)
    if match is None:
        return None
    (
        session,
        subject,
        recording,
        camera_a,
        camera_b,
        f_subject,
        f_session,
        f_recording,
        token,
        illumination,
    ) = match.groups()
    camera = f"{camera_a}_{camera_b}"
    if (f_subject, f_session, f_recording, token) != (
        subject,
        session,
        recording,
        camera_a + camera_b,
    ):
        return None
    return {
        "subject": int(subject),
        "session": int(session),
        "recording": int(recording),
        "camera": camera,
        "illumination": int(illumination),
    }


def protocol_split(
    subject: int, session: int, protocol: str | None
) -> tuple[str | None, str | None]:
    """(split, reject reason) of an image under a protocol; (None, None) = hash split."""
    if protocol is None:
        return None, None
    rules = PROTOCOLS[protocol]
    if rules["sessions"] is not None and session not in rules["sessions"]:
        return None, "protocol_excluded"
    return ("train" if subject <= rules["train_subjects"] else "test"), None


def list_items(root: str, protocol: str | None, neutral_only: bool) -> list[MultiPieImage]:
    """Lists, parses and pairs every PNG under `root` (driver side)."""
    paths = {relative_path(path, root): path for path in list_files(root, (".png",))}
    parsed = {relative: parse_path(relative) for relative in paths}
    frontals = {}
    for relative, fields in parsed.items():
        if fields is not None and fields["camera"] == FRONTAL_CAMERA:
            frontals[
                (fields["subject"], fields["session"], fields["recording"], fields["illumination"])
            ] = paths[relative]
    items = []
    for relative in sorted(paths):
        fields = parsed[relative]
        if fields is None:
            items.append(MultiPieImage(relative, paths[relative], reject="bad_name"))
            continue
        frontal = frontals.get(
            (fields["subject"], fields["session"], fields["recording"], fields["illumination"])
        )
        split, reject = protocol_split(fields["subject"], fields["session"], protocol)
        if fields["camera"] not in CAMERA_YAWS:
            reject = "non_horizontal_camera"
        elif reject is None and neutral_only and fields["recording"] != NEUTRAL_RECORDING:
            reject = "not_neutral"
        elif reject is None and frontal is None:
            reject = "missing_frontal"
        items.append(
            MultiPieImage(
                relative, paths[relative], frontal=frontal, split=split, reject=reject, **fields
            )
        )
    return items


class MultiPieDoFn(SourceDoFn):
    """Reads one image and its frontal partner."""

    def __init__(self, size: int, fit: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = size
        self.fit = fit

    def key(self, item: MultiPieImage) -> str:
        return f"{SOURCE}/{item.relative}"

    def convert(self, item: MultiPieImage) -> Iterator[tuple[dict[str, Any], str, str | None]]:
        if item.reject is not None:
            raise RejectError(item.reject)
        image = fit_square(read_image(item.path), self.size, self.fit)
        frontal = (
            image
            if item.frontal == item.path
            else fit_square(read_image(item.frontal, reason="corrupt_target"), self.size, self.fit)
        )
        yaw = CAMERA_YAWS[item.camera]
        record = {
            "key": self.key(item),
            "image": image,
            "pose": [yaw, 0.0, 0.0],
            "identity": item.subject,
            "target_image": frontal,
            "target_pose": [0.0, 0.0, 0.0],
            "metadata_names": ["session", "recording", "illumination", "camera_yaw"],
            "metadata_values": [item.session, item.recording, item.illumination, yaw],
        }
        yield record, f"{SOURCE}/subject{item.subject:03d}", item.split


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Multi-PIE multiview images paired with their frontal view -> TFRecords."
    )
    parser.add_argument(
        "--input", required=True, help="the folder holding session01/ ... session04/"
    )
    parser.add_argument(
        "--protocol",
        choices=tuple(PROTOCOLS),
        help="setting1 or setting2 train/test split (overrides the hash split)",
    )
    parser.add_argument(
        "--neutral-only", action="store_true", help="keep recording 01 (neutral expression) only"
    )
    add_folder_arguments(parser, default_fit="crop", group_depth=False)
    arguments, options = parse_job_arguments(parser, argv)
    check_folder_arguments(parser, arguments)
    items = list_items(arguments.input, arguments.protocol, arguments.neutral_only)
    if not items:
        parser.error(f"no PNG images under {arguments.input}")
    dofn = MultiPieDoFn(
        arguments.size,
        arguments.fit,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    extra = {"split_source": arguments.protocol or "hash", "camera_yaws": CAMERA_YAWS}
    return run_job(SOURCE, items, dofn, arguments, options, extra)


if __name__ == "__main__":
    run_as_script("pipelines.multipie")
