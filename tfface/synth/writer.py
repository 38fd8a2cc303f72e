"""Writing SynthFaces to disk as a human-browsable folder of PNGs and JSON side files.

Layout (one folder per identity):

    DIR/dataset.json                     config, counts, label tables, file layout
    DIR/config.yaml                      the resolved SynthConfig
    DIR/identity_00003/identity.json     the identity's parameters
    DIR/identity_00003/uv_texture.png    its full UV texture
    DIR/identity_00003/<view>.json       pose, expression, landmarks, file names
    DIR/identity_00003/<view>_<domain>.png                 the image per domain
    DIR/identity_00003/<view>_<domain>_<occluder>.png      occluded image
    DIR/identity_00003/<view>_<occluder>_mask.png          occlusion mask
    DIR/identity_00003/<view>_label19.png / _label11.png   label maps (values = classes)
    DIR/identity_00003/<view>_label11_colour.png           colourised for browsing
    DIR/identity_00003/<view>_uv.png     16-bit RGB: u, v, visibility (x 65535)
    DIR/identity_00003/<view>_face_mask.png

where <view> = yaw+030_pitch+00_roll+00_<expression>.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np

from tfface import __version__
from tfface.config import SynthConfig, save_resolved, to_dict
from tfface.data.features import encode_png, encode_png16, encode_uv
from tfface.data.labels import CELEBAMASK_HQ_19, PORTRAIT_11, colorize
from tfface.synth.synthfaces import SynthFaces


@dataclass(frozen=True)
class View:
    """One (identity, pose, expression) of a SynthFaces dataset."""

    identity: int
    yaw: float
    pitch: float
    roll: float
    expression: str

    @property
    def name(self) -> str:
        return f"yaw{self.yaw:+04.0f}_pitch{self.pitch:+03.0f}_roll{self.roll:+03.0f}_{self.expression}"


def iterate_views(config: SynthConfig) -> Iterator[View]:
    """Every view of the dataset, identity-major (so identity caches stay warm)."""
    identities = range(config.first_identity, config.first_identity + config.identities)
    for identity, yaw, pitch, roll, expression in product(
        identities, config.yaws, config.pitches, config.rolls, config.expressions
    ):
        yield View(identity, float(yaw), float(pitch), float(roll), expression)


def count_images(config: SynthConfig) -> int:
    """Images written per dataset: views x domains x (1 + occluders)."""
    views = (
        config.identities
        * len(config.yaws)
        * len(config.pitches)
        * len(config.rolls)
        * len(config.expressions)
    )
    return views * len(config.domains) * (1 + len(config.occluders))


def save_png(path: Path, array: np.ndarray) -> None:
    """Writes uint8 (H, W), (H, W, 1), (H, W, 3), bool masks, or uint16 (H, W, 3) as PNG."""
    if array.dtype == np.uint16:
        path.write_bytes(encode_png16(array))
    else:
        path.write_bytes(encode_png(array))


def write_view(generator: SynthFaces, config: SynthConfig, view: View, folder: Path) -> int:
    """Renders and writes every domain and occluder of one view; returns images written."""
    written = 0
    record: dict = {
        "identity": view.identity,
        "pose": [view.yaw, view.pitch, view.roll],
        "expression": view.expression,
        "images": {},
    }
    for domain in config.domains:
        for occluder in (None, *config.occluders):
            sample = generator.sample(
                view.identity, view.yaw, view.pitch, view.roll, domain, occluder, view.expression
            )
            suffix = domain if occluder is None else f"{domain}_{occluder}"
            save_png(folder / f"{view.name}_{suffix}.png", sample["image"])
            record["images"][suffix] = f"{view.name}_{suffix}.png"
            written += 1
            if occluder is not None and f"{occluder}_mask" not in record:
                save_png(folder / f"{view.name}_{occluder}_mask.png", sample["occlusion_mask"])
                record[f"{occluder}_mask"] = f"{view.name}_{occluder}_mask.png"
            if "landmarks" not in record:
                save_png(folder / f"{view.name}_label19.png", sample["label_map_19"])
                save_png(folder / f"{view.name}_label11.png", sample["label_map_11"])
                save_png(
                    folder / f"{view.name}_label11_colour.png",
                    colorize(sample["label_map_11"], PORTRAIT_11),
                )
                save_png(
                    folder / f"{view.name}_uv.png",
                    encode_uv(sample["uv_coords"], sample["visibility"]),
                )
                save_png(folder / f"{view.name}_face_mask.png", sample["face_mask"])
                record["landmarks"] = np.round(sample["landmarks"], 3).tolist()
                record["label_map_19"] = f"{view.name}_label19.png"
                record["label_map_11"] = f"{view.name}_label11.png"
                record["uv"] = f"{view.name}_uv.png"
                record["face_mask"] = f"{view.name}_face_mask.png"
    (folder / f"{view.name}.json").write_text(json.dumps(record, indent=1))
    return written


def write_dataset(
    config: SynthConfig, output: str | Path, progress: Callable[[int], None] | None = None
) -> dict:
    """Writes the whole dataset described by `config` to `output`; returns the summary."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    generator = SynthFaces.from_config(config)
    save_resolved(config, output)
    total = 0
    seen: set[int] = set()
    for view in iterate_views(config):
        folder = output / f"identity_{view.identity:05d}"
        if view.identity not in seen:
            folder.mkdir(exist_ok=True)
            seen.add(view.identity)
            save_png(folder / "uv_texture.png", generator.uv_texture(view.identity))
            (folder / "identity.json").write_text(
                json.dumps(generator.identity_params(view.identity).to_json(), indent=1)
            )
        written = write_view(generator, config, view, folder)
        total += written
        if progress is not None:
            progress(written)
    summary = {
        "format": "synthfaces-folder",
        "tfface_version": __version__,
        "config": to_dict(config),
        "identities": len(seen),
        "images": total,
        "label_tables": {
            "label19": list(CELEBAMASK_HQ_19.names),
            "label11": list(PORTRAIT_11.names),
        },
        "layout": __doc__.split("Layout (one folder per identity):", 1)[1].strip(),
    }
    (output / "dataset.json").write_text(json.dumps(summary, indent=1))
    return summary
