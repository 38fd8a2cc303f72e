"""SynthFaces: procedural 3D faces with ground truth, the built-in dataset of tfface.

Every sample is a z-buffer render of a textured head mesh (with hair, neck,
optional glasses and an optional occluder) in any pose, expression and
domain, together with its exact ground truth: part labels, 68 landmarks,
per-pixel UV coordinates and visibility, the full UV texture and occlusion
masks. The same identity in another pose or domain is paired data.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from tfface.config.common import DOMAINS, OCCLUDERS, SynthConfig
from tfface.data.labels import MAP_19_TO_11
from tfface.geometry.camera import OrthographicCamera, rotation_matrix
from tfface.geometry.mesh import Mesh
from tfface.synth import occluders as occluder_builders
from tfface.synth.hair import build_hair_mesh, paint_hair_texture
from tfface.synth.head import (
    Expression,
    build_head_mesh,
    build_neck_mesh,
    build_shoulders_mesh,
    head_points,
    parse_expression,
)
from tfface.synth.identity import IdentityParams, sample_identity
from tfface.synth.landmarks import landmark_coordinates
from tfface.synth.painting import stylize_painting
from tfface.synth.props import Prop
from tfface.synth.scene import RenderedScene, SceneObjects, render_prop, render_scene
from tfface.synth.shading import (
    background_nir,
    background_rgb,
    flat_codes,
    sample_lighting,
    shade_nir,
    shade_rgb,
)
from tfface.synth.texture import IdentityTextures, paint_textures

YAW_RANGE = (-90.0, 90.0)
PITCH_RANGE = (-60.0, 60.0)
ROLL_RANGE = (-90.0, 90.0)
_CACHE_SIZE = 32


@dataclass(frozen=True)
class _IdentityAssets:
    params: IdentityParams
    textures: IdentityTextures
    uv_texture: np.ndarray
    hair_mesh: Mesh
    hair_texture: np.ndarray
    neck_mesh: Mesh
    shoulders_mesh: Mesh
    glasses: Prop | None
    landmark_coordinates: np.ndarray


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)


def _check_range(name: str, value: float, bounds: tuple[float, float]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number of degrees, got {type(value).__name__}")
    if not np.isfinite(value) or not bounds[0] <= value <= bounds[1]:
        raise ValueError(
            f"{name} must be within [{bounds[0]:g}, {bounds[1]:g}] degrees, got {value}"
        )
    return float(value)


class SynthFaces:
    """Procedural face generator.

    Args:
        seed: dataset seed; (seed, identity) fixes a person, and with the pose,
            expression, domain and occluder, every byte of a sample.
        image_size: side of rendered images in pixels (16..2048).
        uv_size: side of the UV texture in texels (>= 16).
        scene_per_pose: True (the default): the lighting, the background and the domain's
            random style (NIR background and sensor noise, painting strokes and palette) are
            drawn anew for every pose. False: they depend on (seed, identity, expression,
            domain) only, so every pose of a person shares one scene, as in a multi-camera
            capture (Multi-PIE: one illumination, one backdrop for all views of a shot);
            use it for pose pairs (`pipelines/synthfaces.py --pair-with-frontal
            --shared-scene`). The head, its ground truth and occluders are the same either way.

    `sample()` returns a dict of NumPy arrays:
        image: uint8 (H, W, 3), or (H, W, 1) for domain 'nir'.
        label_map_19 / label_map_11: uint8 (H, W), CELEBAMASK_HQ_19 / PORTRAIT_11.
        landmarks: float32 (68, 3), iBUG order, (x, y) pixels and depth in
            pixels (larger is nearer the camera).
        uv_coords: float32 (H, W, 2), (u, v) in [0, 1] where `visibility`.
        visibility: bool (H, W), the head surface itself is visible here.
        uv_texture: uint8 (U, U, 3), the identity's full RGB albedo texture.
        albedo: uint8 (H, W, 3), unlit colours of the visible surface (0 on
            the background); `uv_texture` sampled at `uv_coords` on visible pixels.
        face_mask: bool (H, W), face classes 1..9 of PORTRAIT_11.
        pose: float32 (3,), (yaw, pitch, roll) in degrees.
        with an occluder also occlusion_mask: bool (H, W) and
        image_unoccluded (like image).
        with `with_coefficients=True` also coefficients: float32 (C,), the sample's
        3DMM coefficients for `morphable_model()` (layout `tfface.face3d.coefficients`;
        `tfface.synth.morphable` says how they are fitted). Off by default: the first
        request builds the morphable model (seconds).
    All ground truth except `image` and `occlusion_mask` describes the face
    without the occluder; the identity's own glasses are part of the face.
    """

    def __init__(
        self, seed: int = 0, image_size: int = 256, uv_size: int = 256, scene_per_pose: bool = True
    ) -> None:
        for name, value in (("seed", seed), ("image_size", image_size), ("uv_size", uv_size)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be an integer, got {value!r}")
        if not isinstance(scene_per_pose, bool | np.bool_):
            raise TypeError(f"scene_per_pose must be a bool, got {scene_per_pose!r}")
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        if not 16 <= image_size <= 2048:
            raise ValueError(f"image_size must be within [16, 2048], got {image_size}")
        if uv_size < 16:
            raise ValueError(f"uv_size must be at least 16, got {uv_size}")
        self.seed = int(seed)
        self.image_size = int(image_size)
        self.uv_size = int(uv_size)
        self.scene_per_pose = bool(scene_per_pose)
        self.camera = OrthographicCamera.for_faces(self.image_size)
        self._assets: OrderedDict[int, _IdentityAssets] = OrderedDict()
        self._heads: OrderedDict[tuple, tuple[Mesh, np.ndarray]] = OrderedDict()
        self._synth_model = None

    @classmethod
    def from_config(cls, config: SynthConfig) -> SynthFaces:
        """The generator a SynthConfig describes (seed, sizes, scene sharing)."""
        return cls(
            config.seed, config.image_size, config.uv_size, scene_per_pose=config.scene_per_pose
        )

    # -- identity-level assets -------------------------------------------------------------
    def identity_params(self, identity: int) -> IdentityParams:
        """The parameters of `identity`."""
        return self._identity_assets(identity).params

    def uv_texture(self, identity: int) -> np.ndarray:
        """uint8 (U, U, 3): the identity's full ground-truth UV texture."""
        return self._identity_assets(identity).uv_texture.copy()

    def landmark_uv(self, identity: int) -> np.ndarray:
        """float32 (68, 2): (u, v) texture coordinates of the 68 landmarks."""
        from tfface.synth.head import phi_to_v, theta_to_u

        coordinates = self._identity_assets(identity).landmark_coordinates
        return np.stack(
            [theta_to_u(coordinates[:, 0]), phi_to_v(coordinates[:, 1])], axis=1
        ).astype(np.float32)

    def _identity_assets(self, identity: int) -> _IdentityAssets:
        if isinstance(identity, bool) or not isinstance(identity, int | np.integer) or identity < 0:
            raise ValueError(f"identity must be a non-negative integer, got {identity!r}")
        identity = int(identity)
        if identity in self._assets:
            self._assets.move_to_end(identity)
            return self._assets[identity]
        params = sample_identity(self.seed, identity)
        textures = paint_textures(params, self.uv_size)
        glasses = None
        if params.glasses:
            glasses = occluder_builders.eyeglasses_frame(
                params, params.glasses_colour, rim_width=0.02
            )
        assets = _IdentityAssets(
            params=params,
            textures=textures,
            uv_texture=_to_uint8(textures.rgb),
            hair_mesh=build_hair_mesh(params),
            hair_texture=paint_hair_texture(params),
            neck_mesh=build_neck_mesh(params),
            shoulders_mesh=build_shoulders_mesh(params),
            glasses=glasses,
            landmark_coordinates=landmark_coordinates(params),
        )
        self._assets[identity] = assets
        if len(self._assets) > _CACHE_SIZE:
            self._assets.popitem(last=False)
        return assets

    def _head(self, assets: _IdentityAssets, expression: Expression) -> tuple[Mesh, np.ndarray]:
        key = (assets.params.identity, expression)
        if key not in self._heads:
            columns = 129 if self.image_size <= 160 else 161
            rows = 97 if self.image_size <= 160 else 121
            mesh = build_head_mesh(assets.params, expression, columns=columns, rows=rows)
            coordinates = assets.landmark_coordinates
            landmarks = head_points(coordinates[:, 0], coordinates[:, 1], assets.params, expression)
            self._heads[key] = (mesh, landmarks)
            if len(self._heads) > _CACHE_SIZE:
                self._heads.popitem(last=False)
        return self._heads[key]

    def morphable_model(self):
        """The generator's head as a `tfface.face3d.MorphableModel` (built once, then cached).

        See `tfface.synth.morphable`; save it with `tfface.face3d.save_morphable_model`.
        """
        return self._morphable().model

    def _morphable(self):
        from tfface.synth.morphable import build_synth_morphable_model

        if self._synth_model is None:
            columns = 129 if self.image_size <= 160 else 161
            rows = 97 if self.image_size <= 160 else 121
            self._synth_model = build_synth_morphable_model(
                self.seed, self.uv_size, columns=columns, rows=rows
            )
        return self._synth_model

    # -- sampling --------------------------------------------------------------------------
    def sample(
        self,
        identity: int,
        yaw: float = 0.0,
        pitch: float = 0.0,
        roll: float = 0.0,
        domain: str = "rgb",
        occluder: str | None = None,
        expression: None | str | Expression | dict = None,
        with_coefficients: bool = False,
    ) -> dict[str, np.ndarray]:
        """Renders one sample; see the class docstring for the outputs."""
        yaw = _check_range("yaw", yaw, YAW_RANGE)
        pitch = _check_range("pitch", pitch, PITCH_RANGE)
        roll = _check_range("roll", roll, ROLL_RANGE)
        if domain not in DOMAINS:
            raise ValueError(f"unknown domain {domain!r}; expected one of {list(DOMAINS)}")
        if occluder is not None and occluder not in OCCLUDERS:
            raise ValueError(
                f"unknown occluder {occluder!r}; expected None or one of {list(OCCLUDERS)}"
            )
        expression = parse_expression(expression)
        assets = self._identity_assets(identity)
        head_mesh, landmarks_model = self._head(assets, expression)

        rotation = rotation_matrix(yaw, pitch, roll)
        objects = SceneObjects(
            params=assets.params,
            head=head_mesh.transformed(rotation),
            hair=assets.hair_mesh.transformed(rotation),
            neck=assets.neck_mesh.transformed(rotation),
            shoulders=assets.shoulders_mesh.transformed(rotation),
            glasses=None if assets.glasses is None else _posed(assets.glasses, rotation),
        )
        skin = np.array(assets.params.skin_tone, dtype=np.float32)
        scene = render_scene(objects, self.camera, assets.textures, assets.hair_texture, skin)

        # Pose keys are >= 910,000; the shared scene's key [0, 0, 0] is no pose's key.
        pose_key = [int(round(angle * 1000)) + 1_000_000 for angle in (yaw, pitch, roll)]
        scene_key = pose_key if self.scene_per_pose else [0, 0, 0]
        expression_key = [
            int(round(expression.mouth_open * 1000)),
            int(round(expression.smile * 1000)),
        ]
        scene_rng = np.random.default_rng(
            [self.seed, assets.params.identity, *scene_key, *expression_key, 11]
        )
        lighting = sample_lighting(scene_rng)
        background = background_rgb(scene_rng, self.image_size, self.image_size)  # (S, S, 3)
        domain_entropy = [
            self.seed,
            assets.params.identity,
            *scene_key,
            *expression_key,
            zlib.crc32(domain.encode()),
        ]

        def render(surface) -> np.ndarray:
            rng = np.random.default_rng(domain_entropy)
            if domain == "rgb":
                return _to_uint8(shade_rgb(surface, lighting, background))
            if domain == "painting":
                return _to_uint8(stylize_painting(shade_rgb(surface, lighting, background), rng))
            if domain == "nir":
                nir_background = background_nir(rng, self.image_size, self.image_size)
                return _to_uint8(shade_nir(surface, lighting, nir_background, rng))[..., None]
            return _to_uint8(flat_codes(surface))

        image = render(scene.surface)
        label_19 = scene.label_19
        label_11 = MAP_19_TO_11[label_19]
        visibility = scene.owner == 0
        albedo = np.where(scene.surface.covered[..., None], scene.surface.albedo, 0.0)
        landmarks = self.camera.project(landmarks_model @ rotation.T)
        result = {
            "image": image,
            "label_map_19": label_19,
            "label_map_11": label_11,
            "landmarks": landmarks.astype(np.float32),
            "uv_coords": scene.uv,
            "visibility": visibility,
            "uv_texture": assets.uv_texture.copy(),
            "albedo": _to_uint8(albedo),
            "face_mask": (label_11 >= 1) & (label_11 <= 9),
            "pose": np.array([yaw, pitch, roll], dtype=np.float32),
        }
        if with_coefficients:
            from tfface.synth.morphable import fit_lighting

            head = visibility
            sh_lighting = fit_lighting(
                shade_rgb(scene.surface, lighting, background)[head],
                scene.surface.albedo[head],
                scene.surface.normal[head],
            )
            result["coefficients"] = self._morphable().fit(
                assets.params, expression, assets.textures.rgb, (yaw, pitch, roll), sh_lighting
            )
        if occluder is not None:
            occlusion_mask, occluded_image = self._occlude(
                assets, expression, occluder, rotation, scene, render
            )
            result["image_unoccluded"] = image
            result["image"] = np.where(occlusion_mask[..., None], occluded_image, image)
            result["occlusion_mask"] = occlusion_mask
        return result

    def _occlude(
        self, assets, expression, occluder, rotation, scene: RenderedScene, render
    ) -> tuple[np.ndarray, np.ndarray]:
        index = OCCLUDERS.index(occluder)
        rng = np.random.default_rng([self.seed, assets.params.identity, index, 0x0CC1])
        prop = occluder_builders.BUILDERS[occluder](assets.params, expression, rng)
        fragments, surface = render_prop(_posed(prop, rotation), self.camera)
        mask = fragments.covered & (fragments.depth > scene.fragments.depth)
        return mask, render(scene.surface.overlaid(surface, mask))


def _posed(prop: Prop, rotation: np.ndarray) -> Prop:
    return Prop(prop.mesh.transformed(rotation), prop.albedo, prop.nir, prop.shininess)
