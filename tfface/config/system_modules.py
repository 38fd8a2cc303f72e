"""Which module registers each research system (its networks, presets and registry entry).

A plain table without imports, so that `tfface.config` (which must not import TensorFlow
when it is imported) and `tfface.systems.registry` can both read it; importing a listed
module registers the system's presets and its registry entry.
"""

from __future__ import annotations

SYSTEM_MODULES: dict[str, str] = {
    "mask_guided": "tfface.systems.mask_guided",
    "warp_rotation": "tfface.systems.warp_rotation",
    "warp_inpainting": "tfface.systems.warp_inpainting",
    "gated_inpainting": "tfface.systems.gated_inpainting",
}
"""System name -> the module that registers it (imported on demand)."""
