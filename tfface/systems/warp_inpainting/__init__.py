"""Image inpainting with multiple forward warps (Sevastopolskiy 2019 sec. 3.4): `warp_inpainting`.

    from tfface.systems.warp_inpainting import WarpInpaintingSystem, WarpInpaintingConfig
    system = tfface.systems.registry.build("warp_inpainting", get_preset("warp_inpainting", "tiny"))
    filled = system.inpaint(images, hole_masks)

Modules: `config` (config dataclasses and the `paper` / `tiny` presets), `system` (the
declarative system: networks, inference path, objectives of Eq. 3.13), `warping` (graph
functions: warped candidates and their mixture). Data, export (`inpaint(image,
hole_mask)`), `inpaint` and the perceptual losses are shared with gated_inpainting
(`tfface/systems/inpainting_system.py`).
"""

from tfface.systems.warp_inpainting.config import WarpInpaintingConfig, WarpInpaintingModelConfig
from tfface.systems.warp_inpainting.system import WarpInpaintingSystem

__all__ = ["WarpInpaintingConfig", "WarpInpaintingModelConfig", "WarpInpaintingSystem"]
