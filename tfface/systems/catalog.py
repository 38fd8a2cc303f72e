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


MULTIMODAL_PRESETS = (
    "paper",
    "tiny",
    "ED-LS",
    "Mult-LS",
    "ED-O",
    "ED-H",
    "ED-H-P",
    "ED-LS-P-1",
    "ED-LS-P-2",
    "ED-LS-P-3",
    "ED-LS-LR-1",
    "ED-LS-LR-2",
    "ED-LS-LR-3",
    "ED-H-LR",
    "ED-LS-LR-SD",
    "ED-H-LR-SD-1",
    "ED-H-LR-SD-2",
    "ED-H-LR-SD-3",
    "ED-H-LR-SD-4",
    "ED-H-LR-SD-5",
    "ED-LS-SM",
    "ED-LS-LR-SD-SM",
    "ED-LS-P-LR-SD-SM",
    "ED-LS-LR-IR-1",
    "ED-LS-LR-IR-2",
    "ED-LS-LR-IR-3",
    "ED-LS-LR-IR-4",
    "ED-H-LR-IR",
)
"""multimodal's presets: paper, tiny and every configuration of Bergqvist 2020 tables 4.2-4.8
(tfface/systems/multimodal/thesis_results.py)."""


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
    "face_recognition": CatalogEntry(
        "IR-ResNet + ArcFace face embedding (Deng et al. 2019, Yin 2022 sec. 4.4.3)",
        ("paper", "tiny"),
    ),
    "deocclusion": CatalogEntry(
        "face de-occlusion: visible-face segmentation, 3DMM fit, gated inpainting GAN "
        "(Yin 2022 ch. 5)",
        ("paper", "tiny"),
    ),
    "uv_completion": CatalogEntry(
        "UV texture completion: UV attention sampler + UV GAN, 3 discriminators (Yin 2022 ch. 4)",
        ("paper", "tiny", "no_sampler", "no_partial_discriminators", "no_symmetry"),
    ),
    "pose_editing": CatalogEntry(
        "pose editing by pixel attention sampling and conditional U-Net inpainting (Yin 2022)",
        ("paper", "paper_no_pas", "tiny", "tiny_no_pas"),
    ),
    "multimodal": CatalogEntry(
        "synthetic render -> NIR multimodal translation: ED / Multinorm generators, latent "
        "encoder, style mapping, PatchGAN, every configuration of Bergqvist 2020",
        MULTIMODAL_PRESETS,
    ),
    "pix2pix": CatalogEntry(
        "paired image-to-image translation (photo <-> painting): U-Net G, 70x70 PatchGAN, "
        "L1 + cGAN (Isola et al. 2017; Liu 2019)",
        ("paper", "tiny"),
    ),
    "cycle_gan": CatalogEntry(
        "unpaired photo <-> painting translation: ResNet generators with resize-convolution "
        "up-sampling, LSGAN, cycle + identity, image pool, D input noise, TV (Liu 2019)",
        ("paper", "standard", "tiny"),
    ),
}


def describe_systems() -> str:
    """Two lines per system: its name and presets, then its summary (for help texts)."""
    return "\n".join(
        f"  {name} (presets: {', '.join(entry.presets)})\n      {entry.summary}"
        for name, entry in SYSTEMS.items()
    )
