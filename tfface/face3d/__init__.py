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
from tfface.face3d.rasterize import rasterize
from tfface.face3d.renderer import FaceRenderer, Render, render_mesh

__all__ = [
    "FORMAT_VERSION",
    "CoefficientLayout",
    "FaceRenderer",
    "MorphableModel",
    "MorphableModelError",
    "Render",
    "load_deng_bfm",
    "load_morphable_model",
    "rasterize",
    "render_mesh",
    "save_morphable_model",
]
