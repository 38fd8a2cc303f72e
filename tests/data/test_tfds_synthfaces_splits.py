"""The TFDS SynthFaces builder exposes train, validation and test splits when its identities
fall in all three (the same hash split as the Beam job)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

from tfface.config import get_preset
from tfface.data.splits import assign_split

FIRST_IDENTITY = 153  # identities 153, 154, 155 hash to test, train, validation


def test_builder_exposes_every_split_its_identities_fall_in(tmp_path: Path) -> None:

    from tfface.data.tfds.synthfaces import SynthFacesBuilder, SynthFacesConfig

    synth = dataclasses.replace(
        get_preset("synthfaces", "tiny"), first_identity=FIRST_IDENTITY, identities=3, yaws=(0.0,)
    )
    identities = range(FIRST_IDENTITY, FIRST_IDENTITY + 3)
    assert {assign_split(f"identity{identity}") for identity in identities} == {
        "train",
        "validation",
        "test",
    }
    builder = SynthFacesBuilder(
        config=SynthFacesConfig(name="three", description="three identities", synth=synth),
        data_dir=str(tmp_path),
    )
    builder.download_and_prepare()
    assert set(builder.info.splits) == {"train", "validation", "test"}
    for split in ("train", "validation", "test"):
        found = Counter(int(example["identity"]) for example in builder.as_dataset(split=split))
        assert found == Counter(
            {identity: 1 for identity in identities if assign_split(f"identity{identity}") == split}
        ), split
