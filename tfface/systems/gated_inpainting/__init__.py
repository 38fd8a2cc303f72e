"""The gated-convolution inpainting baseline (Yu et al. ICCV 2019): `gated_inpainting`.

The GatedConvNet that Sevastopolskiy 2019 compares warp inpainting with (sec. 4.2.2,
Tables 4.3-4.4).

    system = tfface.systems.registry.build("gated_inpainting", get_preset("gated_inpainting", "tiny"))
    filled = system.inpaint(images, hole_masks)

Modules: `config` (config dataclasses, `paper` / `tiny` presets), `system` (the Keras model
and its inference path), `training` (the train step), `registration` (networks, optimizers,
data, registry), `export` (serving signatures, `inpaint(image, hole_mask)`).
"""

from tfface.systems.gated_inpainting.config import (
    GatedInpaintingConfig,
    GatedInpaintingModelConfig,
)
from tfface.systems.gated_inpainting.registration import (
    build,
    build_networks,
    compile_system,
    dataset,
)
from tfface.systems.gated_inpainting.system import GatedInpaintingSystem

__all__ = [
    "GatedInpaintingConfig",
    "GatedInpaintingModelConfig",
    "GatedInpaintingSystem",
    "build",
    "build_networks",
    "compile_system",
    "dataset",
]
