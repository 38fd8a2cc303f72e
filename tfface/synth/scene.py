"""Turning posed meshes into a `SurfaceBuffer` plus the per-pixel ground truth.

The head, hair, neck and glasses are rasterized together (one z-buffer), then
every visible pixel is resolved: head pixels sample the identity's UV texture
and are labelled by `face_parts` at their exact surface coordinates, hair and
neck pixels take their own colours, props interpolate vertex colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfface.data.labels import CELEBAMASK_HQ_19
from tfface.geometry.camera import OrthographicCamera
from tfface.geometry.mesh import Mesh, merge_meshes
from tfface.geometry.rasterizer import Fragments, interpolate, rasterize
from tfface.geometry.sampling import bilinear_sample
from tfface.synth import face_regions as regions
from tfface.synth.hair import sample_hair_texture
from tfface.synth.head import u_to_theta, v_to_phi
from tfface.synth.identity import IdentityParams
from tfface.synth.props import Prop
from tfface.synth.shading import SurfaceBuffer
from tfface.synth.texture import IdentityTextures, luminance

HEAD, HAIR, NECK, SHOULDERS, GLASSES = range(5)
RED, GREEN, BLUE = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
# Flat colour-coded render (the synthetic source of the NIR translation work):
# red skin, green eye whites, blue irises; grey hair, light grey accessories.
MATERIAL_CODE_COLOURS = np.array(
    [RED, RED, RED, RED, RED, RED, GREEN, BLUE, BLUE], dtype=np.float32
)
HAIR_CODE_COLOUR = (0.3, 0.3, 0.3)
PROP_CODE_COLOUR = (0.7, 0.7, 0.7)
MATERIAL_SHININESS = np.array([0.12, 0.02, 0.3, 0.3, 0.05, 0.4, 0.9, 0.9, 0.9], dtype=np.float32)
_LABELS = {name: CELEBAMASK_HQ_19.index(name) for name in ("hair", "neck", "cloth", "eye_g")}


@dataclass(frozen=True)
class SceneObjects:
    """Posed meshes of one sample (model coordinates rotated into camera axes)."""

    params: IdentityParams
    head: Mesh
    hair: Mesh
    neck: Mesh
    shoulders: Mesh
    glasses: Prop | None


@dataclass
class RenderedScene:
    """The visible surface and its ground truth."""

    surface: SurfaceBuffer
    fragments: Fragments
    owner: np.ndarray  # int (H, W): object index, -1 = background
    label_19: np.ndarray  # uint8 (H, W)
    uv: np.ndarray  # float32 (H, W, 2), zeros off the head


def render_scene(
    objects: SceneObjects,
    camera: OrthographicCamera,
    textures: IdentityTextures,
    hair_texture: np.ndarray,
    skin_tone: np.ndarray,
) -> RenderedScene:
    """Rasterizes the posed objects and fills the per-pixel surface description."""
    size = camera.image_size
    meshes = [objects.head, objects.hair, objects.neck, objects.shoulders]
    if objects.glasses is not None:
        meshes.append(objects.glasses.mesh)
    merged, owners = merge_meshes(meshes)
    fragments = rasterize(camera.project(merged.vertices), merged.faces, size, size)
    covered = fragments.covered
    owner = np.where(covered, owners[np.maximum(fragments.triangle, 0)], -1)

    counts = [len(mesh.vertices) for mesh in meshes]
    vertex_colour = np.zeros((len(merged.vertices), 4), dtype=np.float32)
    starts = np.cumsum([0, *counts])
    vertex_colour[starts[NECK] : starts[NECK + 1], :3] = skin_tone * 0.95
    vertex_colour[starts[NECK] : starts[NECK + 1], 3] = 0.76
    vertex_colour[starts[SHOULDERS] : starts[SHOULDERS + 1], :3] = objects.params.cloth_colour
    vertex_colour[starts[SHOULDERS] : starts[SHOULDERS + 1], 3] = 0.3 + 0.4 * luminance(
        np.array(objects.params.cloth_colour)
    )
    if objects.glasses is not None:
        vertex_colour[starts[GLASSES] :, :3] = objects.glasses.albedo
        vertex_colour[starts[GLASSES] :, 3] = objects.glasses.nir
    packed = np.concatenate([merged.coordinates, merged.normals, vertex_colour], axis=1)
    values = interpolate(fragments, merged.faces, packed)
    normal = values[..., 2:5]
    normal /= np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-6)

    surface = SurfaceBuffer.empty(size, size)
    surface.covered = covered
    surface.normal = np.where(covered[..., None], normal, surface.normal).astype(np.float32)
    surface.albedo = values[..., 5:8]
    surface.nir = values[..., 8]
    label = np.zeros((size, size), dtype=np.uint8)
    uv = np.zeros((size, size, 2), dtype=np.float32)

    head = owner == HEAD
    head_uv = np.clip(values[head][:, :2], 0.0, 1.0)
    uv[head] = head_uv
    texels = textures.rgb.shape[0] - 1
    rows, columns = head_uv[:, 1] * texels, head_uv[:, 0] * texels
    surface.albedo[head] = bilinear_sample(textures.rgb, rows, columns)
    surface.nir[head] = bilinear_sample(textures.nir, rows, columns)
    part, material = regions.face_parts(
        u_to_theta(head_uv[:, 0]), v_to_phi(head_uv[:, 1]), objects.params
    )
    label[head] = part
    surface.shininess[head] = MATERIAL_SHININESS[material]
    surface.code_colour[head] = MATERIAL_CODE_COLOURS[material]

    hair = owner == HAIR
    hair_albedo = sample_hair_texture(hair_texture, values[hair][:, :2])
    surface.albedo[hair] = hair_albedo
    surface.nir[hair] = 0.22 + 0.5 * luminance(hair_albedo)
    surface.shininess[hair] = 0.25
    surface.code_colour[hair] = HAIR_CODE_COLOUR
    label[hair] = _LABELS["hair"]

    neck = owner == NECK
    surface.shininess[neck] = 0.08
    surface.code_colour[neck] = RED
    label[neck] = _LABELS["neck"]

    shoulders = owner == SHOULDERS
    surface.shininess[shoulders] = 0.03
    surface.code_colour[shoulders] = PROP_CODE_COLOUR
    label[shoulders] = _LABELS["cloth"]

    glasses = owner == GLASSES
    surface.shininess[glasses] = objects.glasses.shininess if objects.glasses is not None else 0.0
    surface.code_colour[glasses] = PROP_CODE_COLOUR
    label[glasses] = _LABELS["eye_g"]
    return RenderedScene(surface, fragments, owner, label, uv)


def render_prop(prop: Prop, camera: OrthographicCamera) -> tuple[Fragments, SurfaceBuffer]:
    """Rasterizes a (posed) prop alone."""
    size = camera.image_size
    fragments = rasterize(camera.project(prop.mesh.vertices), prop.mesh.faces, size, size)
    packed = np.concatenate([prop.mesh.normals, prop.albedo, prop.nir[:, None]], axis=1)
    values = interpolate(fragments, prop.mesh.faces, packed)
    surface = SurfaceBuffer.empty(size, size)
    covered = fragments.covered
    normal = values[..., :3] / np.maximum(
        np.linalg.norm(values[..., :3], axis=-1, keepdims=True), 1e-6
    )
    surface.covered = covered
    surface.normal = np.where(covered[..., None], normal, surface.normal).astype(np.float32)
    surface.albedo = values[..., 3:6]
    surface.nir = values[..., 6]
    surface.shininess[covered] = prop.shininess
    surface.code_colour[covered] = PROP_CODE_COLOUR
    return fragments, surface
