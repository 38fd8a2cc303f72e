"""The systems and their presets as plain data, for `tfface train --help` without TensorFlow.

The system classes declare the same names, summaries and presets (`tfface.systems.registry`),
but reading them imports the systems, and with them TensorFlow. `tests/systems/test_catalog.py`
checks that this table says exactly what the classes declare.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEntry:
    """What `tfface train --help` says about a system.

    Attributes:
        summary: one line: what the system does and where it comes from.
        presets: the names its config module registers with `register_preset`.
    """

    summary: str
    presets: tuple[str, ...]


SYSTEMS: dict[str, CatalogEntry] = {
    "mask_guided": CatalogEntry(
        "mask-to-face synthesis and per-component editing (Gu et al. CVPR 2019)",
        ("paper", "tiny"),
    ),
    "warp_rotation": CatalogEntry(
        "face rotation by forward warping and gated inpainting (Sevastopolskiy 2019)",
        ("paper", "tiny"),
    ),
    "warp_inpainting": CatalogEntry(
        "inpainting with multiple forward warps (Sevastopolskiy 2019)", ("paper", "tiny")
    ),
    "gated_inpainting": CatalogEntry(
        "gated-convolution inpainting baseline (Yu et al. ICCV 2019)", ("paper", "tiny")
    ),
    "face_reconstruction": CatalogEntry(
        "3DMM coefficient regressor for occluded faces (Deng et al. 2019, Yin 2022 sec. 5.3)",
        ("paper", "tiny"),
    ),
}


def describe_systems() -> str:
    """Two lines per system: its name and presets, then its summary (for help texts)."""
    return "\n".join(
        f"  {name} (presets: {', '.join(entry.presets)})\n      {entry.summary}"
        for name, entry in SYSTEMS.items()
    )
