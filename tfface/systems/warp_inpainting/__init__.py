"""Image inpainting with multiple forward warps (Sevastopolskiy 2019 sec. 3.4): `warp_inpainting`.

    from tfface.systems.warp_inpainting import WarpInpaintingSystem, WarpInpaintingConfig
    system = tfface.systems.registry.build("warp_inpainting", get_preset("warp_inpainting", "tiny"))
    filled = system.inpaint(images, hole_masks)

Modules: `config` (config dataclasses and the `paper` / `tiny` presets), `system` (the Keras
model and its inference path), `warping` (graph functions: warped candidates and their
mixture), `training` (the train step, Eq. 3.13), `registration` (networks, optimizers, data,
registry), `export` (serving signatures, `inpaint(image, hole_mask)`).
"""

from tfface.systems.inpainting_perceptual import attach_perceptual_extractor
from tfface.systems.warp_inpainting.config import WarpInpaintingConfig, WarpInpaintingModelConfig
from tfface.systems.warp_inpainting.registration import (
    build,
    build_networks,
    compile_system,
    dataset,
)
from tfface.systems.warp_inpainting.system import WarpInpaintingSystem

__all__ = [
    "WarpInpaintingConfig",
    "WarpInpaintingModelConfig",
    "WarpInpaintingSystem",
    "attach_perceptual_extractor",
    "build",
    "build_networks",
    "compile_system",
    "dataset",
]
