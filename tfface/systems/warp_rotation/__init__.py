"""Face rotation by forward warping (Sevastopolskiy 2019, sec. 3.3, 4.1): `warp_rotation`.

    from tfface.systems.warp_rotation import WarpRotationSystem, WarpRotationConfig
    system = tfface.systems.registry.build("warp_rotation", get_preset("warp_rotation", "tiny"))
    outputs = system.rotate(images, target_yaw=30.0)   # {'image', 'warped', 'hole_mask'}

Modules: `config` (config dataclasses and the `paper` / `tiny` presets), `system` (the
Keras model and its forward pass), `warping` (network inputs, forward / backward sampler),
`training` (the losses and the train step), `rotation` (the eager API), `inputs` (eager
input checks), `identity` (the frozen identity network), `registration` (networks,
optimizers, data, registry), `export` (the serving signatures).
"""

from tfface.systems.warp_rotation.config import WarpRotationConfig, WarpRotationModelConfig
from tfface.systems.warp_rotation.registration import (
    build,
    build_networks,
    compile_system,
    dataset,
)
from tfface.systems.warp_rotation.system import WarpRotationSystem

__all__ = [
    "WarpRotationConfig",
    "WarpRotationModelConfig",
    "WarpRotationSystem",
    "build",
    "build_networks",
    "compile_system",
    "dataset",
]
