"""Face rotation by forward warping (Sevastopolskiy 2019, sec. 3.3, 4.1): `warp_rotation`.

    from tfface.systems.warp_rotation import WarpRotationSystem, WarpRotationConfig
    system = tfface.systems.registry.build("warp_rotation", get_preset("warp_rotation", "tiny"))
    outputs = system.rotate(images, target_yaw=30.0)   # {'image', 'warped', 'hole_mask'}

Modules: `config` (config dataclasses and the `paper` / `tiny` presets), `system` (the
declarative system: networks, optimizers, forward pass, objectives, the eager `rotate`),
`training` (the loss terms), `data` (the pose-pair data recipe), `warping` (network inputs,
forward / backward sampler), `inputs` (eager input checks), `identity` (the frozen identity
network), `export` (the serving signatures).
"""

from tfface.systems.warp_rotation.config import (
    WarpRotationConfig,
    WarpRotationModelConfig,
    paper,
    tiny,
)
from tfface.systems.warp_rotation.data import orient_pairs, pose_pair_batches
from tfface.systems.warp_rotation.system import WarpRotationSystem

__all__ = [
    "WarpRotationConfig",
    "WarpRotationModelConfig",
    "WarpRotationSystem",
    "orient_pairs",
    "paper",
    "pose_pair_batches",
    "tiny",
]
