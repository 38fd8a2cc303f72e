"""The gated-convolution inpainting baseline (Yu et al. ICCV 2019): `gated_inpainting`.

The GatedConvNet that Sevastopolskiy 2019 compares warp inpainting with (sec. 4.2.2,
Tables 4.3-4.4).

    system = tfface.systems.registry.build("gated_inpainting", get_preset("gated_inpainting", "tiny"))
    filled = system.inpaint(images, hole_masks)

Modules: `config` (config dataclasses, `paper` / `tiny` presets), `system` (the declarative
system: networks, inference path, objectives). Data, export (`inpaint(image, hole_mask)`),
`inpaint` and the perceptual losses are shared with warp_inpainting
(`tfface/systems/inpainting_system.py`).
"""

from tfface.systems.gated_inpainting.config import (
    GatedInpaintingConfig,
    GatedInpaintingModelConfig,
)
from tfface.systems.gated_inpainting.system import GatedInpaintingSystem

__all__ = ["GatedInpaintingConfig", "GatedInpaintingModelConfig", "GatedInpaintingSystem"]
