"""Pose editing by Pixel Attention Sampling + conditional U-Net inpainting (Yin 2022 ch. 3).

    system = tfface.systems.registry.build("pose_editing", get_preset("pose_editing", "tiny"))
    out = system.rotate_to_angles(images, target_yaw=30.0, target_pitch=0.0)
    out = system.rotate_to_pose(images, source_landmarks, target_landmarks)
    # {'image': edited, 'sampled': PAS output, 'aligned': I_tf}, float32 in [-1, 1]

Modules: `config` (configs, presets `paper`, `paper_no_pas`, `tiny`, `tiny_no_pas`),
`landmarks` (normalisation, exposed half, similarity alignment, posing the template: TF
ops), `segmentation` (landmark segmentation maps), `data` (the pair recipe with the
preprocessing), `networks` (PAS, U-Net, projection discriminator, landmark estimator),
`training` (the losses), `system`, `inputs` (eager checks), `export` (signatures).
"""

from tfface.systems.pose_editing.config import (
    PoseEditingConfig,
    PoseEditingModelConfig,
    paper,
    paper_no_pas,
    tiny,
    tiny_no_pas,
)
from tfface.systems.pose_editing.data import pose_editing_batches, preprocess_pairs
from tfface.systems.pose_editing.system import PoseEditingSystem

__all__ = [
    "PoseEditingConfig",
    "PoseEditingModelConfig",
    "PoseEditingSystem",
    "paper",
    "paper_no_pas",
    "pose_editing_batches",
    "preprocess_pairs",
    "tiny",
    "tiny_no_pas",
]
