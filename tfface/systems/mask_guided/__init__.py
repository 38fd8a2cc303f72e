"""Mask-guided portrait editing (Gu et al. CVPR 2019, S1408 thesis): the `mask_guided` system.

    from tfface.systems.mask_guided import MaskGuidedSystem, MaskGuidedConfig
    system = tfface.systems.registry.build("mask_guided", get_preset("mask_guided", "tiny"))
    faces = system.synthesize(target_mask, target_image, source_images)

Modules: `config` (config dataclasses and the `paper` / `tiny` presets), `system` (the
declarative `MaskGuidedSystem`: forward pass, objectives, stages), `networks` (building
them), `training` (the stages, the pairing of examples), `data` (the data recipe),
`editing` (the editing API), `components` (graph functions: crops, boxes and feature
placement from masks), `inputs` (eager input checks), `mask_edits` (label-map edits: a
component from another mask), `export` (serving signatures).
"""

from tfface.systems.mask_guided.components import COMPONENT_NAMES
from tfface.systems.mask_guided.config import MaskGuidedConfig, MaskGuidedModelConfig
from tfface.systems.mask_guided.mask_edits import EDITABLE_COMPONENTS, replace_component
from tfface.systems.mask_guided.system import MaskGuidedSystem

__all__ = [
    "COMPONENT_NAMES",
    "EDITABLE_COMPONENTS",
    "MaskGuidedConfig",
    "MaskGuidedModelConfig",
    "MaskGuidedSystem",
    "replace_component",
]
