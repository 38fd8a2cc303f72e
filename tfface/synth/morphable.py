"""SynthFaces' own morphable model: the generator's head as a linear 3DMM in the face3d format.

The thesis fits the Basel Face Model (Yin 2022), which cannot be
shipped; SynthFaces exports its procedural head in the same format instead, so that the
3DMM code (renderer, UV sampling, regressor) runs on data with exact ground truth.

The model lives on a fixed (u, v) grid of the head surface (`tfface.synth.head`), with
extra rows across the band where mouths can be. Its bases are built from the heads of
the `basis_identities` first identities of the generator's seed:

- identity: principal components of their neutral heads (all components, so the basis
  spans those identities exactly; others are least-squares projections);
- expression: principal components of their mouth-opening and smile displacements
  (both are linear in `Expression`'s opening and smile, `head.expression_offset`);
- texture: principal components of their UV albedos sampled at the vertices.

Coefficients of a sample (`SynthFaces.sample(..., with_coefficients=True)`) are the
least-squares fit of the sample's head on this grid, its pose (radians) with the
translation (0, 0.22, 0) of `OrthographicCamera.for_faces`, and a least-squares fit of
9 SH coefficients per channel to the sample's RGB shading.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from tfface.data.labels import MAP_19_TO_11
from tfface.face3d.coefficients import CoefficientLayout
from tfface.face3d.lighting import sh_basis
from tfface.face3d.morphable_model import MorphableModel
from tfface.geometry.mesh import grid_faces
from tfface.geometry.sampling import bilinear_sample
from tfface.synth import face_regions as regions
from tfface.synth.head import (
    Expression,
    expression_offset,
    head_points,
    phi_to_v,
    theta_to_u,
    u_to_theta,
    v_to_phi,
)
from tfface.synth.identity import IdentityParams, sample_identity
from tfface.synth.landmarks import landmark_coordinates
from tfface.synth.texture import paint_textures

# SynthFaces' framing (OrthographicCamera.for_faces): 0.3 image sides per model unit, the
# model origin 0.22 units below the image centre.
CAMERA_SCALE = 0.3
CAMERA_TRANSLATION = (0.0, 0.22, 0.0)
# Mouths lie within these elevations (identity.py: mouth_phi in [-0.54, -0.41], lip_gap <= 0.024).
_MOUTH_PHI_RANGE = (-0.62, -0.33)


@dataclass(frozen=True)
class SynthMorphableModel:
    """The exported `MorphableModel` and what fitting samples to it needs.

    Attributes:
        model: the morphable model.
        grid_u, grid_v: float64 (C,), (R,) the vertex grid (vertex (i, j) = i * C + j).
        shape_basis: float64 (3V, K_id + K_exp) the identity and expression bases side by side.
        shape_gram: float64 (K_id + K_exp, K_id + K_exp) its Gram matrix B^T B.
        texture_basis: float64 (3V, K_tex) orthogonal columns.
    """

    model: MorphableModel
    grid_u: np.ndarray
    grid_v: np.ndarray
    shape_basis: np.ndarray
    shape_gram: np.ndarray
    texture_basis: np.ndarray

    def head(self, params: IdentityParams, expression: Expression) -> np.ndarray:
        """float64 (V, 3) the head of `params` on the model grid."""
        uu, vv = np.meshgrid(self.grid_u, self.grid_v)
        return head_points(u_to_theta(uu), v_to_phi(vv), params, expression).reshape(-1, 3)

    def albedo(self, uv_texture: np.ndarray) -> np.ndarray:
        """float32 (V, 3): an RGB texture (U, U, 3) in [0, 1] sampled at the vertices."""
        texels = uv_texture.shape[0] - 1
        uv = self.model.uv_coords
        return bilinear_sample(uv_texture, uv[:, 1] * texels, uv[:, 0] * texels).astype(np.float32)

    def fit(
        self,
        params: IdentityParams,
        expression: Expression,
        uv_texture: np.ndarray,
        pose_degrees: tuple[float, float, float],
        lighting: np.ndarray,
    ) -> np.ndarray:
        """float32 coefficient vector of one sample (see the module docstring)."""
        model = self.model
        layout = CoefficientLayout.for_model(model)
        offset = (self.head(params, expression) - model.mean_shape).reshape(-1)
        shape = np.linalg.solve(self.shape_gram, self.shape_basis.T @ offset)  # least squares
        texture_offset = (self.albedo(uv_texture) - model.mean_texture).reshape(-1)
        texture_norms = np.sum(self.texture_basis**2, axis=0)
        texture = (self.texture_basis.T @ texture_offset) / texture_norms
        return layout.join(
            identity=shape[: model.num_identity],
            expression=shape[model.num_identity :],
            texture=texture,
            angles=np.deg2rad(np.asarray(pose_degrees, np.float64)),
            lighting=lighting,
            translation=np.array(CAMERA_TRANSLATION),
        )


def fit_lighting(image: np.ndarray, albedo: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """float32 (27,) SH coefficients with image ~ albedo * shading(normals), per channel.

    Args:
        image: float (N, 3) observed colours in [0, 1].
        albedo: float (N, 3) albedo of the same pixels.
        normals: float (N, 3) unit normals in camera axes.
    """
    basis = sh_basis(np.asarray(normals, np.float64))  # (N, 9)
    lighting = np.zeros((3, 9))
    for channel in range(3):
        design = albedo[:, channel : channel + 1] * basis
        lighting[channel] = np.linalg.lstsq(design, image[:, channel], rcond=None)[0]
    return lighting.reshape(27).astype(np.float32)


def _principal_components(rows: np.ndarray, count: int) -> np.ndarray:
    """(N, D) centred samples, N << D -> (D, count) components scaled by their std.

    Eigen-decomposes the small (N, N) Gram matrix instead of an SVD of the samples.
    """
    gram = rows @ rows.T
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    count = min(count, int(np.sum(eigenvalues > eigenvalues[0] * 1e-12)))
    singular = np.sqrt(eigenvalues[:count])
    components = (rows.T @ eigenvectors[:, :count]) / singular  # (D, count) orthonormal
    return components * (singular / np.sqrt(max(len(rows) - 1, 1)))


def _grid(columns: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    u = np.linspace(0.0, 1.0, columns)
    mouth_v = phi_to_v(np.array(_MOUTH_PHI_RANGE[::-1]))
    v = np.unique(np.concatenate([np.linspace(0.0, 1.0, rows), np.linspace(*mouth_v, 31)]))
    return u, v


@functools.lru_cache(maxsize=4)  # a job builds it twice (its workers, the written file)
def build_synth_morphable_model(
    seed: int,
    uv_size: int,
    basis_identities: int = 81,
    num_expression: int = 64,
    columns: int = 129,
    rows: int = 97,
) -> SynthMorphableModel:
    """Builds SynthFaces' morphable model for a generator seed (see the module docstring).

    Args:
        seed: the SynthFaces seed whose identities 0..basis_identities-1 span the bases.
        uv_size: texture size the albedos are painted at (the generator's `uv_size`).
        basis_identities: identities in the bases (identity and texture get one fewer
            components, 80 by default like the Basel Face Model of Deng et al.).
        num_expression: expression components (64, as Deng et al.).
        columns: grid columns (odd, so that u = 0.5 is a column and the mirror is exact).
        rows: uniform grid rows (mouth rows are added).

    Built once per process and arguments (seconds of work), then shared: treat the result as
    read-only.
    """
    if columns % 2 == 0 or columns < 5 or rows < 5:
        raise ValueError(f"columns must be odd and >= 5 and rows >= 5, got {columns} x {rows}")
    if basis_identities < 2:
        raise ValueError(f"basis_identities must be at least 2, got {basis_identities}")
    grid_u, grid_v = _grid(columns, rows)
    uu, vv = np.meshgrid(grid_u, grid_v)
    theta, phi = u_to_theta(uu), v_to_phi(vv)
    neutral, opening, smile = Expression(), Expression(mouth_open=1.0), Expression(smile=1.0)
    heads, expressions, albedos, labels, landmark_uv = [], [], [], [], []
    for identity in range(basis_identities):
        params = sample_identity(seed, identity)
        head = head_points(theta, phi, params, neutral).reshape(-1)
        rest = expression_offset(theta, phi, params, neutral).reshape(-1)
        open_offset = expression_offset(theta, phi, params, opening).reshape(-1) - rest
        # smile=1 also opens the mouth by 0.3 (head.expression_offset): remove that part
        smile_offset = (
            expression_offset(theta, phi, params, smile).reshape(-1) - rest - 0.3 * open_offset
        )
        heads.append(head)
        expressions.extend([open_offset, smile_offset])
        texture = paint_textures(params, uv_size).rgb
        texels = uv_size - 1
        albedos.append(
            bilinear_sample(texture, vv.ravel() * texels, uu.ravel() * texels).reshape(-1)
        )
        labels.append(regions.face_parts(theta, phi, params)[0].ravel())
        coordinates = landmark_coordinates(params)

        landmark_uv.append(
            np.stack([theta_to_u(coordinates[:, 0]), phi_to_v(coordinates[:, 1])], 1)
        )
    heads, albedos = np.stack(heads), np.stack(albedos)
    mean_shape, mean_texture = heads.mean(axis=0), albedos.mean(axis=0)
    identity_basis = _principal_components(heads - mean_shape, basis_identities - 1)
    expression_basis = _principal_components(np.stack(expressions), num_expression)
    texture_basis = _principal_components(albedos - mean_texture, basis_identities - 1)
    vertices = uu.size

    label_votes = np.stack(labels)  # (N, V) CelebAMask-HQ 19 labels
    votes = np.zeros((19, vertices), np.int32)
    np.add.at(votes, (label_votes, np.arange(vertices)[None]), 1)
    label_19 = votes.argmax(axis=0)
    grid_uv = np.stack([uu.ravel(), vv.ravel()], axis=1)
    mean_landmark_uv = np.mean(landmark_uv, axis=0)
    landmark_indices = np.argmin(
        np.linalg.norm(grid_uv[None] - mean_landmark_uv[:, None], axis=-1), axis=1
    )
    rows_count = len(grid_v)
    index = np.arange(vertices).reshape(rows_count, columns)
    model = MorphableModel(
        mean_shape=mean_shape.reshape(vertices, 3).astype(np.float32),
        identity_basis=identity_basis.reshape(vertices, 3, -1).astype(np.float32),
        expression_basis=expression_basis.reshape(vertices, 3, -1).astype(np.float32),
        mean_texture=mean_texture.reshape(vertices, 3).astype(np.float32),
        texture_basis=texture_basis.reshape(vertices, 3, -1).astype(np.float32),
        triangles=grid_faces(rows_count, columns),
        uv_coords=grid_uv.astype(np.float32),
        landmark_indices=landmark_indices.astype(np.int32),
        region_labels=MAP_19_TO_11[label_19].astype(np.uint8),
        symmetry=index[:, ::-1].ravel().astype(np.int32),
        camera_model="orthographic",
        camera_focal=CAMERA_SCALE,
        camera_distance=10.0,
        name=f"SynthFaces head, seed {seed}, {basis_identities} basis identities, uv {uv_size}",
    )
    shape_basis = np.concatenate([identity_basis, expression_basis], axis=1)
    return SynthMorphableModel(
        model=model,
        grid_u=grid_u,
        grid_v=grid_v,
        shape_basis=shape_basis,
        shape_gram=shape_basis.T @ shape_basis,
        texture_basis=texture_basis,
    )
