"""TFDS builder `tfface_synthfaces`: SynthFaces rendered by the same code as the Beam job.

    import tfface.data.tfds  # registers the builders
    dataset = tfds.load("tfface_synthfaces/tiny", split="train", data_dir=DIR)

Configs mirror the SynthFaces presets (`tiny`, `demo`, `default`); splits come
from the same hash of the identity as the Beam job (`tfface.data.splits`),
so a TFDS copy and a Beam copy of one config hold the same examples per split.
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from tfface.config import SynthConfig, get_preset
from tfface.data.splits import DEFAULT_FRACTIONS, SPLITS, assign_split
from tfface.synth.writer import iterate_views


class SynthFacesConfig(tfds.core.BuilderConfig):
    """A BuilderConfig holding a SynthConfig."""

    def __init__(self, *, synth: SynthConfig, **kwargs) -> None:
        super().__init__(**kwargs)
        self.synth = synth


def _config(name: str, description: str) -> SynthFacesConfig:
    return SynthFacesConfig(
        name=name, description=description, synth=get_preset("synthfaces", name)
    )


class SynthFacesBuilder(tfds.core.GeneratorBasedBuilder):
    """SynthFaces: procedural faces with labels, landmarks, poses and UV coordinates."""

    name = "tfface_synthfaces"
    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release (tfface schema version 1)."}
    BUILDER_CONFIGS = [
        _config("tiny", "4 identities, 64 px, yaws 0 and 30."),
        _config("demo", "12 identities, 128 px, five yaws, every domain, occluder and expression."),
        _config("default", "100 frontal RGB identities at 256 px."),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        synth = self.builder_config.synth
        size = synth.image_size
        return self.dataset_info_from_configs(
            description="SynthFaces, the built-in procedural face dataset of tfface.",
            features=tfds.features.FeaturesDict(
                {
                    "key": tfds.features.Text(),
                    "image": tfds.features.Image(shape=(size, size, 3)),
                    "label_map_19": tfds.features.Image(shape=(size, size, 1)),
                    "label_map_11": tfds.features.Image(shape=(size, size, 1)),
                    "face_mask": tfds.features.Image(shape=(size, size, 1)),
                    "occlusion_mask": tfds.features.Image(shape=(size, size, 1)),
                    "landmarks": tfds.features.Tensor(shape=(68, 3), dtype=np.float32),
                    "pose": tfds.features.Tensor(shape=(3,), dtype=np.float32),
                    "identity": np.int64,
                    "domain": tfds.features.Text(),
                    "occluder": tfds.features.Text(),
                }
            ),
            supervised_keys=None,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        synth = self.builder_config.synth
        identities = range(synth.first_identity, synth.first_identity + synth.identities)
        used = {assign_split(f"identity{identity}", DEFAULT_FRACTIONS) for identity in identities}
        # TFDS refuses empty splits: small configs may have no validation or test identity.
        return {split: self._generate_examples(split) for split in SPLITS if split in used}

    def _generate_examples(self, split: str):
        from tfface.synth import SynthFaces

        synth = self.builder_config.synth
        generator = SynthFaces.from_config(synth)
        for view in iterate_views(synth):
            if assign_split(f"identity{view.identity}", DEFAULT_FRACTIONS) != split:
                continue
            for domain in synth.domains:
                for occluder in (None, *synth.occluders):
                    sample = generator.sample(
                        view.identity,
                        view.yaw,
                        view.pitch,
                        view.roll,
                        domain,
                        occluder,
                        view.expression,
                    )
                    key = f"synthfaces/seed{synth.seed}/identity{view.identity:05d}/{view.name}/{domain}/{occluder or 'none'}"
                    occlusion = sample.get("occlusion_mask", np.zeros_like(sample["face_mask"]))
                    image = sample["image"]
                    yield (
                        key,
                        {
                            "key": key,
                            "image": image
                            if image.shape[-1] == 3
                            else np.repeat(image, 3, axis=-1),
                            "label_map_19": sample["label_map_19"][..., None],
                            "label_map_11": sample["label_map_11"][..., None],
                            "face_mask": (sample["face_mask"].astype(np.uint8) * 255)[..., None],
                            "occlusion_mask": (occlusion.astype(np.uint8) * 255)[..., None],
                            "landmarks": sample["landmarks"],
                            "pose": sample["pose"],
                            "identity": view.identity,
                            "domain": domain,
                            "occluder": occluder or "",
                        },
                    )
