"""The 3D face toolkit: morphable model format, differentiable renderer, UV space, Poisson blending.

The ground on which Yin 2022 chapters 4 (UV texture completion) and 5 (de-occlusion) stand:
fit a 3D morphable model, render it, move colours between image and UV space, and blend
textures with Poisson image editing.
"""

from tfface.face3d.bfm import load_deng_bfm
from tfface.face3d.coefficients import CoefficientLayout
from tfface.face3d.morphable_model import (
    FORMAT_VERSION,
    MorphableModel,
    MorphableModelError,
    load_morphable_model,
    save_morphable_model,
)
from tfface.face3d.poisson import poisson_blend
from tfface.face3d.poisson_tf import poisson_blend_tf
from tfface.face3d.rasterize import rasterize
from tfface.face3d.renderer import FaceRenderer, Render, render_mesh
from tfface.face3d.symmetry import mirror_fill, pseudo_uv_map
from tfface.face3d.uv_space import image_to_uv, uv_sampling_map, uv_to_image

__all__ = [
    "FORMAT_VERSION",
    "CoefficientLayout",
    "FaceRenderer",
    "MorphableModel",
    "MorphableModelError",
    "Render",
    "image_to_uv",
    "load_deng_bfm",
    "load_morphable_model",
    "mirror_fill",
    "poisson_blend",
    "poisson_blend_tf",
    "pseudo_uv_map",
    "rasterize",
    "render_mesh",
    "save_morphable_model",
    "uv_sampling_map",
    "uv_to_image",
]
