"""The mask-guided part of `tfface demo`: dataset -> training -> editing contact sheets.

1. builds a small SynthFaces dataset with the Beam job (`pipelines/synthfaces.py`, the
   same job `tfface data build synthfaces` runs): identities x 2 yaws x 3 expressions;
2. trains the `tiny` mask_guided preset on it (face-parser pre-training, then the GAN)
   with the normal training loop (`tfface.runs.train`, a run directory with
   checkpoints, config and TensorBoard logs);
3. edits held-out SynthFaces identities (never seen in training) with the editing API and
   writes two sheets: `mask_guided_editing.png` (reconstruction, hair / mouth edits by
   mask, another face's mask, style transfer) and `mask_guided_synthesis.png` (one
   structure with the appearance of several faces).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfface.data.labels import PORTRAIT_11, colorize
from tfface.visualize import save_contact_sheet

DEMO_IMAGE_SIZE = 64
"""The tiny preset's image size."""
DEMO_TRAIN_STEPS = 2400
"""The tiny preset's 1400 parser pre-training steps, then 1000 GAN steps (the preset has 300):
recognisable reconstructions and edits in about 6-10 minutes on 2 CPU cores."""
HELD_OUT_FIRST_IDENTITY = 10_000
"""Edited faces come from identities far from the training ones."""


@dataclass(frozen=True)
class EditingDemoOptions:
    """What the editing demo builds and how long it trains.

    Attributes:
        out: the demo folder (data/, run/ and the sheets go here).
        identities: training identities of the dataset (x 2 yaws x 3 expressions).
        train_steps: total steps of the tiny preset, parser pre-training included.
        faces: held-out faces edited on the sheet.
        seed: SynthFaces seed.
    """

    out: Path
    identities: int = 100
    train_steps: int = DEMO_TRAIN_STEPS
    faces: int = 4
    seed: int = 0


def build_dataset(options: EditingDemoOptions) -> Path:
    """The training set, written by the synthfaces Beam job (DirectRunner)."""
    from pipelines import synthfaces

    data_dir = options.out / "data"
    if (data_dir / "dataset_info.json").is_file():
        print(f"tfface demo: reusing the dataset in {data_dir}")
        return data_dir
    print(f"tfface demo: building a SynthFaces dataset ({options.identities} identities) ...")
    synthfaces.main(
        ["--output", str(data_dir), "--identities", str(options.identities)]
        + ["--size", str(DEMO_IMAGE_SIZE), "--uv-size", "32", "--seed", str(options.seed)]
        + ["--yaws", "0", "15", "--expressions", "neutral", "smile", "mouth_open"]
        + ["--splits", "train=1,validation=0,test=0"]
    )
    return data_dir


def train_tiny_model(options: EditingDemoOptions, data_dir: Path) -> Path:
    """Trains (or, if a finished run is there, reuses) the tiny preset; returns the run dir."""
    from tfface.runs.train import TrainRequest, train

    run_dir = options.out / "run"
    overrides = (f"train.steps={options.train_steps}",)
    finished = run_dir / "run.json"
    if finished.is_file():
        print(f"tfface demo: reusing the trained model in {run_dir} (delete it to retrain)")
        return run_dir
    resume = (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir())
    print("tfface demo: training the tiny mask_guided model (parser first, then the GAN) ...")
    start = time.monotonic()
    train(
        TrainRequest(
            "mask_guided", str(run_dir), str(data_dir), "tiny", None, overrides, resume=resume
        )
    )
    print(f"tfface demo: trained in {time.monotonic() - start:.0f} s")
    return run_dir


def held_out_faces(options: EditingDemoOptions) -> dict[str, np.ndarray]:
    """Images and masks of unseen identities: neutral (edited) and with an open mouth (mouth edits)."""
    from tfface.synth import SynthFaces  # SciPy: only when rendering

    generator = SynthFaces(seed=options.seed, image_size=DEMO_IMAGE_SIZE, uv_size=32)
    count = options.faces + 1  # the last face is everyone's donor as well
    identities = range(HELD_OUT_FIRST_IDENTITY, HELD_OUT_FIRST_IDENTITY + count)
    neutral = [generator.sample(identity, yaw=0.0, expression="neutral") for identity in identities]
    open_mouths = [
        generator.sample(identity, yaw=0.0, expression="mouth_open") for identity in identities
    ]
    return {
        "images": np.stack([sample["image"] for sample in neutral]),  # uint8 (N, S, S, 3)
        "masks": np.stack([sample["label_map_11"] for sample in neutral]),  # uint8 (N, S, S)
        "open_masks": np.stack([sample["label_map_11"] for sample in open_mouths]),
    }


def to_uint8(images: np.ndarray) -> np.ndarray:
    """float [-1, 1] -> uint8."""
    return np.round(np.clip((np.asarray(images) + 1.0) * 127.5, 0, 255)).astype(np.uint8)


def editing_sheets(run_dir: Path, options: EditingDemoOptions) -> list[Path]:
    """Edits held-out faces with the trained model; writes the two sheets."""
    from tfface.cli.edit import load_trained_system
    from tfface.systems.mask_guided.mask_edits import replace_component

    system, _ = load_trained_system(str(run_dir))
    faces = held_out_faces(options)
    images = faces["images"].astype(np.float32) / 127.5 - 1.0  # (N, S, S, 3) in [-1, 1]
    masks, open_masks = faces["masks"], faces["open_masks"]
    donors = np.roll(np.arange(len(images)), -1)  # each face's donor: the next face
    rows, labels = [], []
    for index in range(options.faces):
        image, mask = images[index : index + 1], masks[index]
        donor = donors[index]
        hair_mask = replace_component(mask, masks[donor], "hair")
        mouth_mask = replace_component(mask, open_masks[index], "mouth")
        results = {
            "reconstruction": system.edit(image, mask, mask),
            "hair edit": system.edit(image, mask, hair_mask),
            "mouth edit": system.edit(image, mask, mouth_mask),
            "donor's mask": system.swap_mask(image, mask, masks[donor]),
            "donor's hair+skin": system.transfer_style(
                image, images[donor : donor + 1], ["hair", "skin"], mask, masks[donor]
            ),
        }
        rows.append(
            [
                faces["images"][index],
                colorize(mask, PORTRAIT_11),
                to_uint8(results["reconstruction"][0]),
                colorize(hair_mask, PORTRAIT_11),
                to_uint8(results["hair edit"][0]),
                colorize(mouth_mask, PORTRAIT_11),
                to_uint8(results["mouth edit"][0]),
                to_uint8(results["donor's mask"][0]),
                to_uint8(results["donor's hair+skin"][0]),
                faces["images"][donor],
            ]
        )
        labels.append(f"face {index}")
    columns = [
        "face",
        "its mask",
        "reconstruction",
        "hair mask",
        "hair edit",
        "open mouth",
        "mouth edit",
        "donor's mask",
        "hair+skin style",
        "donor",
    ]
    written = [
        save_contact_sheet(
            options.out / "mask_guided_editing.png",
            rows,
            row_labels=labels,
            column_labels=columns,
            cell_size=2 * DEMO_IMAGE_SIZE,
        )
    ]
    synthesized = system.synthesize(masks[0], images[0], images, masks)  # (N, S, S, 3)
    written.append(
        save_contact_sheet(
            options.out / "mask_guided_synthesis.png",
            [
                [colorize(masks[0], PORTRAIT_11), *faces["images"]],
                [faces["images"][0], *to_uint8(synthesized)],
            ],
            row_labels=["sources", "in mask 0"],
            column_labels=["target", *[f"face {index}" for index in range(len(images))]],
            cell_size=2 * DEMO_IMAGE_SIZE,
        )
    )
    return written


def run_editing_demo(options: EditingDemoOptions) -> list[Path]:
    """Dataset, training, sheets; returns the sheets written."""
    data_dir = build_dataset(options)
    run_dir = train_tiny_model(options, data_dir)
    return editing_sheets(run_dir, options)
