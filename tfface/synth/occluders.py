"""Glasses and the seven occluders of SynthFaces, built in head model coordinates.

Occluders move with the head. Each builder takes the identity, the expression
and a seeded generator (placement, colour) and returns one `Prop`. The
identity's own glasses (`eyeglasses_frame`) are part of the face (label
'eye_g'); occluders are composited with an exact occlusion mask.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tfface.synth import props
from tfface.synth.head import Expression, base_ellipsoid, head_points
from tfface.synth.identity import IdentityParams
from tfface.synth.noise import smooth_noise

OCCLUDER_NAMES = ("sunglasses", "eyeglasses", "medical_mask", "hand", "scarf", "hat", "microphone")


def _eye_centres(params: IdentityParams) -> tuple[np.ndarray, float]:
    """Centres of both eyes (2, 3) and the depth of a glasses plane in front of them."""
    centres = head_points(
        np.array([-params.eye_theta, params.eye_theta]), np.full(2, params.eye_phi), params
    )
    bridge = head_points(np.array(0.0), np.array(params.eye_phi), params)
    plane_z = max(float(bridge[2]) + 0.03, float(centres[:, 2].max()) + 0.16)
    return centres, plane_z


def eyeglasses_frame(
    params: IdentityParams,
    colour: tuple,
    rim_width: float = 0.025,
    lenses: tuple | None = None,
    radius_x: float = 0.19,
    radius_y: float = 0.13,
) -> props.Prop:
    """Rims, bridge and temples (plus opaque lenses of colour `lenses` if given)."""
    centres, plane_z = _eye_centres(params)
    parts: list[props.Prop] = []
    colour_nir = 0.15 + 0.5 * float(np.mean(colour))
    for centre in centres:
        rim_centre = np.array([centre[0], centre[1] - 0.01, plane_z])
        parts.append(
            props.coloured(
                props.ring(rim_centre, radius_x, radius_y, rim_width), colour, colour_nir, 0.5
            )
        )
        if lenses is not None:
            lens = props.disc(
                rim_centre + np.array([0, 0, 0.004]),
                radius_x + 0.5 * rim_width,
                radius_y + 0.5 * rim_width,
                0.02,
            )
            parts.append(props.coloured(lens, lenses, 0.08, 0.9))
        side = np.sign(centre[0])
        temple_start = np.array(
            [centre[0] + side * (radius_x + rim_width), centre[1] + 0.02, plane_z]
        )
        temple_end = np.array([side * (params.head_width + 0.03), centre[1] + 0.02, -0.1])
        parts.append(
            props.coloured(
                props.strip(temple_start, temple_end, 0.03, (side, 0.0, 0.0)),
                colour,
                colour_nir,
                0.5,
            )
        )
    inner = [centres[0][0] + radius_x, centres[1][0] - radius_x]
    bridge = props.strip(
        np.array([inner[0], centres[0][1] + 0.04, plane_z + 0.01]),
        np.array([inner[1], centres[1][1] + 0.04, plane_z + 0.01]),
        0.025,
        (0.0, 0.0, 1.0),
    )
    parts.append(props.coloured(bridge, colour, colour_nir, 0.5))
    return props.merge_props(parts)


def sunglasses(
    params: IdentityParams, expression: Expression, rng: np.random.Generator
) -> props.Prop:
    """Dark-lensed sunglasses with a coloured frame."""
    frame = tuple(rng.uniform(0.02, 0.5, size=3))
    tint = tuple(np.array([0.04, 0.04, 0.05]) + rng.uniform(0.0, 0.08, size=3))
    return eyeglasses_frame(
        params, frame, rim_width=0.03, lenses=tint, radius_x=0.21, radius_y=0.16
    )


def eyeglasses(
    params: IdentityParams, expression: Expression, rng: np.random.Generator
) -> props.Prop:
    """Thick-rimmed glasses with clear lenses (only the frame occludes)."""
    return eyeglasses_frame(
        params, tuple(rng.uniform(0.02, 0.6, size=3)), rim_width=0.04, radius_x=0.2, radius_y=0.15
    )


def medical_mask(
    params: IdentityParams, expression: Expression, rng: np.random.Generator
) -> props.Prop:
    """A pleated surgical mask from the nose bridge to under the chin."""
    theta = np.linspace(-1.2, 1.2, 56)
    top = params.eye_phi - rng.uniform(0.14, 0.2)
    phi = np.linspace(top, -1.05, 40)
    theta_grid, phi_grid = np.meshgrid(theta, phi)
    surface = head_points(theta_grid, phi_grid, params, expression)
    points, normals = props.drape(surface, thickness=0.03)
    colour = np.array(
        [(0.55, 0.75, 0.9), (0.93, 0.93, 0.93), (0.1, 0.1, 0.12), (0.6, 0.85, 0.75)][
            rng.integers(4)
        ]
    )
    pleats = 1.0 - 0.12 * (np.sin(np.linspace(0, 1, 40) * np.pi * 7)[:, None] > 0.6) * np.ones_like(
        theta_grid
    )
    albedo = colour * pleats[..., None]
    mesh = props.grid_mesh(points, np.zeros(points.shape[:2] + (2,)), normals)
    return props.coloured(mesh, albedo.reshape(-1, 3), (0.8 * pleats).ravel(), 0.05)


def hand(params: IdentityParams, expression: Expression, rng: np.random.Generator) -> props.Prop:
    """A flat hand (palm, four fingers, thumb) held in front of the face."""
    a, b = np.meshgrid(np.linspace(-0.55, 0.55, 56), np.linspace(0.95, -0.5, 72))  # rows run down
    centre_a, centre_b = 0.5 * (a[:-1, :-1] + a[1:, 1:]), 0.5 * (b[:-1, :-1] + b[1:, 1:])
    inside = (centre_a / 0.3) ** 2 + (centre_b / 0.32) ** 2 < 1.0
    for k, length in enumerate((0.42, 0.5, 0.46, 0.36)):
        x0 = -0.2 + 0.135 * k
        inside |= (np.abs(centre_a - x0) < 0.055) & (centre_b > 0.0) & (centre_b < 0.2 + length)
        inside |= (centre_a - x0) ** 2 + (centre_b - 0.2 - length) ** 2 < 0.055**2
    thumb_axis = np.array([np.cos(2.4), np.sin(2.4)])
    along = (centre_a + 0.2) * thumb_axis[0] + (centre_b + 0.05) * thumb_axis[1]
    across = -(centre_a + 0.2) * thumb_axis[1] + (centre_b + 0.05) * thumb_axis[0]
    inside |= (along > 0) & (along < 0.42) & (np.abs(across) < 0.065)
    angle = rng.uniform(-0.6, 0.6) + (np.pi if rng.random() < 0.3 else 0.0)
    targets = {
        "mouth": (0.0, params.mouth_phi),
        "cheek": (rng.choice([-1, 1]) * 0.55, params.mouth_phi + 0.2),
        "chin": (0.0, params.mouth_phi - 0.3),
        "eye": (rng.choice([-1, 1]) * params.eye_theta, params.eye_phi),
    }
    target_theta, target_phi = list(targets.values())[rng.integers(len(targets))]
    anchor = head_points(np.array(target_theta), np.array(target_phi), params, expression)
    rotated_a = a * np.cos(angle) - b * np.sin(angle)
    rotated_b = a * np.sin(angle) + b * np.cos(angle)
    z = float(anchor[2]) + 0.22 - 0.35 * rotated_a**2
    points = np.stack([anchor[0] + rotated_a, anchor[1] + rotated_b - 0.15, z], axis=-1)
    tone = np.clip(np.array(params.skin_tone) * rng.uniform(0.8, 1.1), 0, 1)
    detail = 1.0 + 0.04 * smooth_noise(rng, *a.shape, 3.0)
    mesh = props.silhouette(inside, points)
    return props.coloured(
        mesh, (tone * detail[..., None]).reshape(-1, 3), (0.78 * detail).ravel(), 0.1
    )


def scarf(params: IdentityParams, expression: Expression, rng: np.random.Generator) -> props.Prop:
    """A knitted scarf wound round the neck, up to the chin or the mouth."""
    top_phi = params.mouth_phi - rng.uniform(0.05, 0.3)
    surface = head_points(np.linspace(-np.pi, np.pi, 64), np.full(64, top_phi), params, expression)
    top_y = float(surface[:, 1].mean()) + 0.02
    radius_x = float(np.abs(surface[:, 0]).max()) + 0.1
    front_z = float(surface[:, 2].max()) + 0.1
    back_z = float(surface[:, 2].min()) - 0.08
    theta = np.linspace(-np.pi, np.pi, 72)
    y = np.linspace(top_y, -2.2, 40)
    theta_grid, y_grid = np.meshgrid(theta, y)
    folds = 1.0 + 0.05 * smooth_noise(rng, 40, 72, 6.0, 4.0)
    centre_z = 0.5 * (front_z + back_z)
    radius_z = 0.5 * (front_z - back_z)
    points = np.stack(
        [
            radius_x * folds * np.sin(theta_grid),
            y_grid,
            centre_z + radius_z * folds * np.cos(theta_grid),
        ],
        axis=-1,
    )
    colours = rng.uniform(0.1, 0.9, size=(2, 3))
    stripes = (np.sin(y_grid * 18.0) > 0.3)[..., None]
    knit = 1.0 + 0.1 * np.sin(theta_grid * 90.0)[..., None] * np.sin(y_grid * 140.0)[..., None]
    albedo = np.where(stripes, colours[0], colours[1]) * knit
    return props.coloured(
        props.closed_surface(points),
        albedo.reshape(-1, 3),
        (0.5 * knit[..., 0] + 0.2).ravel(),
        0.02,
    )


def hat(params: IdentityParams, expression: Expression, rng: np.random.Generator) -> props.Prop:
    """A beanie over the hair, optionally with a visor."""
    theta = np.linspace(-np.pi, np.pi, 72)
    front_weight = (1.0 + np.cos(theta)) / 2.0
    edge_phi = (params.hairline_phi - rng.uniform(0.05, 0.15)) * front_weight - 0.05 * (
        1.0 - front_weight
    )
    fraction = np.linspace(0.0, 1.0, 28)
    theta_grid, fraction_grid = np.meshgrid(theta, fraction)
    phi = np.pi / 2 - fraction_grid * (np.pi / 2 - edge_phi[None, :])
    base, direction = base_ellipsoid(theta_grid, phi, params)
    points = base + direction * (params.hair_thickness + 0.1)
    colour = rng.uniform(0.05, 0.85, size=3)
    knit = 1.0 + 0.08 * np.sin(theta_grid * 60.0)
    band = fraction_grid > 0.8
    albedo = colour * knit[..., None] * np.where(band, 0.8, 1.0)[..., None]
    parts = [
        props.coloured(
            props.closed_surface(points), albedo.reshape(-1, 3), (0.5 * knit).ravel(), 0.03
        )
    ]
    if rng.random() < 0.5:
        front = points[-1, np.abs(theta) < 0.9]
        outer = front + np.array([0.0, -0.05, 0.35]) * np.cos(theta[np.abs(theta) < 0.9])[:, None]
        visor = np.stack([front, outer], axis=0)
        parts.append(
            props.coloured(
                props.grid_mesh(visor, np.zeros(visor.shape[:2] + (2,))), colour * 0.7, 0.4, 0.03
            )
        )
    return props.merge_props(parts)


def microphone(
    params: IdentityParams, expression: Expression, rng: np.random.Generator
) -> props.Prop:
    """A handheld microphone in front of the mouth: grille ball on a dark handle."""
    anchor = head_points(
        np.array(rng.uniform(-0.25, 0.25)), np.array(params.mouth_phi - 0.12), params, expression
    )
    head_centre = anchor + np.array([0.0, -0.05, 0.3])
    tilt = np.array([rng.uniform(-0.4, 0.4), 1.0, 0.3])
    tilt /= np.linalg.norm(tilt)
    ball = props.capsule_points(head_centre, tilt, 0.0, 0.17, rows=20, columns=28)
    rows, columns = ball.shape[:2]
    grille = 0.25 + 0.25 * (
        (np.arange(rows)[:, None] % 3 == 0) | (np.arange(columns)[None, :] % 3 == 0)
    )
    handle = props.capsule_points(head_centre - tilt * 0.8, tilt, 1.2, 0.065)
    return props.merge_props(
        [
            props.coloured(
                props.closed_surface(ball),
                np.repeat(grille.reshape(-1, 1), 3, axis=1),
                grille.ravel(),
                0.6,
            ),
            props.coloured(props.closed_surface(handle), (0.04, 0.04, 0.045), 0.06, 0.5),
        ]
    )


BUILDERS: dict[str, Callable[[IdentityParams, Expression, np.random.Generator], props.Prop]] = {
    "sunglasses": sunglasses,
    "eyeglasses": eyeglasses,
    "medical_mask": medical_mask,
    "hand": hand,
    "scarf": scarf,
    "hat": hat,
    "microphone": microphone,
}
