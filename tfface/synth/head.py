"""The SynthFaces head: a parametric surface with a UV layout, expressions and a mesh.

The head is an ellipsoid with a tapered jaw whose surface is displaced by
smooth bumps (nose, brow ridge, eye sockets, cheekbones, lips, chin, ears).
It is parameterised by (theta, phi) (see `identity.py`) and the UV texture
layout maps

    theta = pi * (THETA_LINEAR * w + (1 - THETA_LINEAR) * w ** 3),  w = 2 u - 1
    v = (PHI_TOP - phi) / (PHI_TOP - PHI_BOTTOM)

so u grows to the image's right in a frontal view and v grows downwards, like
an image of the unwrapped face; the cubic gives the face (|theta| < 60 degrees)
about half the texture width and the back of the head the rest, with a smooth,
finite stretch everywhere. The mouth is a thin band of the surface between the lips
(the "mouth" label) that is squeezed shut in 3D at rest and stretches open
with the `mouth_open` expression, so an open mouth is real geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfface.geometry.mesh import Mesh, grid_mesh, grid_normals
from tfface.synth.identity import IdentityParams

THETA_LINEAR = 0.55
PHI_TOP = np.pi / 2 - 0.02
PHI_BOTTOM = -1.3
# The mouth band is squeezed to this fraction of its parameter height at rest.
MOUTH_REST_OPENING = 0.5
EAR_THETA = np.pi / 2 + 0.06


@dataclass(frozen=True)
class Expression:
    """Facial expression: `mouth_open` and `smile` in [0, 1]."""

    mouth_open: float = 0.0
    smile: float = 0.0

    def __post_init__(self) -> None:
        for name in ("mouth_open", "smile"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"expression {name} must be in [0, 1], got {value}")


NAMED_EXPRESSIONS = {
    "neutral": Expression(),
    "smile": Expression(smile=1.0),
    "mouth_open": Expression(mouth_open=1.0),
}


def parse_expression(expression: None | str | Expression | dict) -> Expression:
    """Accepts None, a name from `NAMED_EXPRESSIONS`, an `Expression` or a dict of its fields."""
    if expression is None:
        return NAMED_EXPRESSIONS["neutral"]
    if isinstance(expression, Expression):
        return expression
    if isinstance(expression, str):
        if expression not in NAMED_EXPRESSIONS:
            raise ValueError(
                f"unknown expression {expression!r}; expected one of {sorted(NAMED_EXPRESSIONS)} or a dict with mouth_open / smile"
            )
        return NAMED_EXPRESSIONS[expression]
    if isinstance(expression, dict):
        unknown = set(expression) - {"mouth_open", "smile"}
        if unknown:
            raise ValueError(
                f"unknown expression keys {sorted(unknown)}; allowed: mouth_open, smile"
            )
        return Expression(**{key: float(value) for key, value in expression.items()})
    raise TypeError(
        f"expression must be None, a name, an Expression or a dict, got {type(expression).__name__}"
    )


def theta_to_u(theta: np.ndarray) -> np.ndarray:
    """Azimuth (radians, [-pi, pi]) -> texture u in [0, 1] (inverse of the cubic, Cardano)."""
    t = np.asarray(theta, dtype=np.float64) / np.pi
    p = THETA_LINEAR / (1.0 - THETA_LINEAR)
    q = -t / (1.0 - THETA_LINEAR)
    root = np.sqrt(q * q / 4.0 + p**3 / 27.0)
    w = np.cbrt(-q / 2.0 + root) + np.cbrt(-q / 2.0 - root)
    return 0.5 * (np.clip(w, -1.0, 1.0) + 1.0)


def u_to_theta(u: np.ndarray) -> np.ndarray:
    """Texture u in [0, 1] -> azimuth in [-pi, pi]."""
    w = 2.0 * np.asarray(u, dtype=np.float64) - 1.0
    return np.pi * (THETA_LINEAR * w + (1.0 - THETA_LINEAR) * w**3)


def phi_to_v(phi: np.ndarray) -> np.ndarray:
    """Elevation (radians) -> texture v in [0, 1] (0 at the crown)."""
    return (PHI_TOP - phi) / (PHI_TOP - PHI_BOTTOM)


def v_to_phi(v: np.ndarray) -> np.ndarray:
    """Texture v in [0, 1] -> elevation (radians)."""
    return PHI_TOP - np.asarray(v, dtype=np.float64) * (PHI_TOP - PHI_BOTTOM)


def gaussian(x: np.ndarray, sigma: float) -> np.ndarray:
    """exp(-x^2 / (2 sigma^2))."""
    return np.exp(-0.5 * (x / sigma) ** 2)


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    """Hermite step from 0 at edge0 to 1 at edge1 (edges may be in either order)."""
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def ear_profile(theta: np.ndarray, phi: np.ndarray, params: IdentityParams) -> np.ndarray:
    """Flat-topped bump in [0, 1] over both ears."""
    ear_phi = params.eye_phi - 0.12
    distance_theta = (np.abs(theta) - EAR_THETA) / (0.10 * params.ear_size)
    distance_phi = (phi - ear_phi) / (0.22 * params.ear_size)
    return np.exp(-(distance_theta**4) - distance_phi**4)


def base_ellipsoid(
    theta: np.ndarray, phi: np.ndarray, params: IdentityParams
) -> tuple[np.ndarray, np.ndarray]:
    """Head ellipsoid with tapered jaw; returns (points (..., 3), unit directions (..., 3))."""
    cos_phi = np.cos(phi)
    direction = np.stack([cos_phi * np.sin(theta), np.sin(phi), cos_phi * np.cos(theta)], axis=-1)
    lower = smoothstep(0.05, -1.0, phi)
    scale_x = params.head_width * (1.0 - params.jaw_taper * lower)
    scale_z = params.head_depth * (1.0 - 0.4 * params.jaw_taper * lower)
    points = direction * np.stack(
        [scale_x, np.full_like(scale_x, params.head_height), scale_z], axis=-1
    )
    return points, direction


def face_displacement(theta: np.ndarray, phi: np.ndarray, params: IdentityParams) -> np.ndarray:
    """Radial displacement (model units) that sculpts the face features."""
    p = params
    # Nose: a ridge growing from the eyes to the tip, falling off quickly below it.
    span = p.eye_phi - p.nose_tip_phi
    progress = np.clip((p.eye_phi - phi) / span, 0.0, 1.0)
    ridge = np.where(
        phi >= p.nose_tip_phi,
        p.nose_height * (0.12 + 0.88 * progress**1.6),
        p.nose_height * gaussian(phi - p.nose_tip_phi, 0.032),
    )
    ridge = ridge * np.where(phi > p.eye_phi, gaussian(phi - p.eye_phi, 0.06), 1.0)
    ridge_width = p.nose_width * (0.22 + 0.4 * progress)
    displacement = ridge * gaussian(theta, ridge_width)
    for side in (-1.0, 1.0):
        displacement += (
            0.3
            * p.nose_height
            * gaussian(theta - side * 0.8 * p.nose_width, 0.045)
            * gaussian(phi - (p.nose_tip_phi - 0.03), 0.035)
        )
        # Eye sockets and eyeballs.
        d_theta = theta - side * p.eye_theta
        displacement += -0.075 * gaussian(d_theta, 0.14) * gaussian(phi - p.eye_phi - 0.01, 0.09)
        displacement += 0.04 * gaussian(d_theta, 0.09) * gaussian(phi - p.eye_phi, 0.05)
        # Cheekbones.
        displacement += (
            p.cheekbone_height
            * gaussian(theta - side * 0.55, 0.18)
            * gaussian(phi - (p.eye_phi - 0.2), 0.12)
        )
    # Brow ridge, lips, chin.
    displacement += 0.05 * gaussian(phi - (p.eye_phi + p.brow_gap), 0.05) * gaussian(theta, 0.55)
    upper_lip_phi = p.mouth_phi + p.lip_gap + 0.5 * p.upper_lip_thickness
    lower_lip_phi = p.mouth_phi - p.lip_gap - 0.5 * p.lower_lip_thickness
    lips = gaussian(phi - upper_lip_phi, 0.028) + 1.1 * gaussian(phi - lower_lip_phi, 0.032)
    displacement += 0.045 * gaussian(theta, p.mouth_half_width) * lips
    displacement += (
        p.chin_height * gaussian(theta, 0.25) * gaussian(phi - (p.mouth_phi - 0.36), 0.1)
    )
    return displacement


def head_points(
    theta: np.ndarray,
    phi: np.ndarray,
    params: IdentityParams,
    expression: Expression = Expression(),
) -> np.ndarray:
    """Model-space points (..., 3) of the head surface at (theta, phi)."""
    theta = np.asarray(theta, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    base, direction = base_ellipsoid(theta, phi, params)
    points = base + direction * face_displacement(theta, phi, params)[..., None]
    # Ears stick out sideways.
    sideways = np.stack([np.sin(theta), np.zeros_like(theta), np.cos(theta)], axis=-1)
    points = (
        points + sideways * (0.17 * params.ear_size * ear_profile(theta, phi, params))[..., None]
    )
    return points + expression_offset(theta, phi, params, expression)


def expression_offset(
    theta: np.ndarray, phi: np.ndarray, params: IdentityParams, expression: Expression
) -> np.ndarray:
    """3D offsets (..., 3) of the mouth band squeeze, jaw opening and smile."""
    p = params
    half_gap = p.lip_gap
    near_mouth = gaussian(theta, 1.3 * p.mouth_half_width) * gaussian(phi - p.mouth_phi, 0.25)
    vertical_scale = p.head_height * np.cos(p.mouth_phi)
    relative = np.clip(phi - p.mouth_phi, -half_gap, half_gap)
    offset_y = -relative * (1.0 - MOUTH_REST_OPENING) * vertical_scale * near_mouth
    opening = min(1.0, expression.mouth_open + 0.3 * expression.smile)
    below = np.clip((p.mouth_phi + half_gap - phi) / (2.0 * half_gap), 0.0, 1.0)
    offset_y = offset_y - opening * 0.22 * below * gaussian(theta, 0.9)
    inside = np.clip(1.0 - np.abs(phi - p.mouth_phi) / half_gap, 0.0, 1.0) * gaussian(
        theta, 0.8 * p.mouth_half_width
    )
    offset_z = -(0.06 + 0.14 * opening) * inside
    corner = gaussian(np.abs(theta) - p.mouth_half_width, 0.1) * gaussian(phi - p.mouth_phi, 0.08)
    offset_y = offset_y + expression.smile * 0.06 * corner
    offset_x = expression.smile * 0.03 * np.sign(theta) * corner
    cheeks = gaussian(np.abs(theta) - 0.45, 0.15) * gaussian(phi - (p.mouth_phi + 0.2), 0.1)
    offset_z = offset_z + expression.smile * 0.04 * cheeks
    return np.stack([offset_x, offset_y, offset_z], axis=-1)


def build_head_mesh(
    params: IdentityParams, expression: Expression, columns: int = 129, rows: int = 97
) -> Mesh:
    """Grid mesh of the whole head; `coordinates` are the (u, v) texture coordinates."""
    u = np.linspace(0.0, 1.0, columns)
    # Denser rows around the mouth band so that it opens cleanly.
    v_uniform = np.linspace(0.0, 1.0, rows)
    mouth_v = phi_to_v(params.mouth_phi)
    band = phi_to_v(params.mouth_phi - params.lip_gap) - mouth_v
    v_band = mouth_v + band * np.linspace(-1.5, 1.5, 9)
    v = np.unique(np.concatenate([v_uniform, v_band]))
    uu, vv = np.meshgrid(u, v)
    theta, phi = u_to_theta(uu), v_to_phi(vv)
    points = head_points(theta, phi, params, expression)
    normals = grid_normals(points)
    return grid_mesh(points, np.stack([uu, vv], axis=-1), normals)


def build_neck_mesh(params: IdentityParams, columns: int = 49, rows: int = 8) -> Mesh:
    """Elliptic cylinder from inside the head down past the image; coordinates unused (zeros)."""
    theta = np.linspace(-np.pi, np.pi, columns)
    height = np.linspace(-0.45, -3.2, rows)
    theta_grid, y = np.meshgrid(theta, height)
    radius_x = 0.6 * params.head_width
    radius_z = 0.5 * params.head_depth
    points = np.stack(
        [radius_x * np.sin(theta_grid), y, -0.15 + radius_z * np.cos(theta_grid)], axis=-1
    )
    return grid_mesh(points, np.zeros(points.shape[:2] + (2,)))


def build_shoulders_mesh(params: IdentityParams, columns: int = 49, rows: int = 12) -> Mesh:
    """Clothed shoulders: a surface flaring out from the neckline; coordinates unused."""
    theta = np.linspace(-np.pi, np.pi, columns)
    height = np.linspace(-1.2, -3.2, rows)
    theta_grid, y = np.meshgrid(theta, height)
    flare = smoothstep(-1.2, -2.0, y)
    radius_x = 0.63 * params.head_width + 1.7 * flare
    radius_z = 0.53 * params.head_depth + 0.25 * flare
    points = np.stack(
        [radius_x * np.sin(theta_grid), y, -0.15 + radius_z * np.cos(theta_grid)], axis=-1
    )
    return grid_mesh(points, np.zeros(points.shape[:2] + (2,)))
