"""Where each face part lives on the head surface, in (theta, phi) radians.

One function answers "which CelebAMask-HQ part and which material is here?"
for any array of surface coordinates. The texture painter calls it on texel
centres and the renderer on the exact surface coordinates of every pixel, so
label maps have crisp edges at any image size and agree with the texture.
"""

from __future__ import annotations

import numpy as np

from tfface.data.labels import CELEBAMASK_HQ_19
from tfface.synth.head import EAR_THETA
from tfface.synth.identity import IdentityParams

# Materials: what the surface is made of (drives texture colours, NIR albedo and
# the colour-coded mask texture).
SKIN, BROW, UPPER_LIP, LOWER_LIP, MOUTH_INNER, TEETH, SCLERA, IRIS, PUPIL = range(9)
MATERIAL_NAMES = (
    "skin",
    "brow",
    "upper_lip",
    "lower_lip",
    "mouth_inner",
    "teeth",
    "sclera",
    "iris",
    "pupil",
)

_LABEL = {name: CELEBAMASK_HQ_19.index(name) for name in CELEBAMASK_HQ_19.names}


def eye_local(
    theta: np.ndarray, phi: np.ndarray, params: IdentityParams, side: float
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates relative to one eye's centre, tilt removed. side -1: subject's right."""
    d_theta = theta - side * params.eye_theta
    d_phi = phi - params.eye_phi - params.eye_tilt * d_theta * side
    return d_theta, d_phi


def eye_lids(
    d_theta: np.ndarray, params: IdentityParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(upper lid, lower lid, inside-width) of the almond eye opening at d_theta."""
    x = d_theta / params.eye_half_width
    spread = np.clip(1.0 - x * x, 0.0, 1.0)
    upper = params.eye_half_height * spread**0.75
    lower = -0.75 * params.eye_half_height * spread**0.9
    return upper, lower, np.abs(x) < 1.0


def brow_centre(
    theta: np.ndarray, params: IdentityParams, side: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centre line phi, half thickness, inside-length) of one eyebrow at theta."""
    half_length = 0.5 * params.brow_length
    d_theta = theta - side * (params.eye_theta + 0.03)
    x = d_theta / half_length
    centre = params.eye_phi + params.brow_gap + params.brow_arch * (1.0 - x * x)
    outward = np.clip((side * x + 1.0) / 2.0, 0.0, 1.0)  # 0 at the inner end, 1 at the outer
    half_thickness = (
        0.5
        * params.brow_thickness
        * (1.0 - 0.55 * outward)
        * np.sqrt(np.clip(1.0 - x**8, 0.0, 1.0))
    )
    return centre, half_thickness, np.abs(x) < 1.0


def mouth_band(theta: np.ndarray, params: IdentityParams) -> tuple[np.ndarray, np.ndarray]:
    """(half height of the inner-mouth band, inside-width) at theta: a lens closing at the corners."""
    x = theta / params.mouth_half_width
    lens = np.sqrt(np.clip(1.0 - x * x, 0.0, 1.0))
    return params.lip_gap * lens, np.abs(x) < 1.0


def lip_thickness(theta: np.ndarray, params: IdentityParams) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) lip thickness at theta; the upper lip has a cupid's bow."""
    x = np.clip(theta / params.mouth_half_width, -1.0, 1.0)
    shape = np.clip(1.0 - x * x, 0.0, 1.0)
    bow = (
        1.0
        - 0.25 * np.exp(-0.5 * (theta / 0.035) ** 2)
        + 0.1 * np.exp(-0.5 * ((np.abs(theta) - 0.07) / 0.04) ** 2)
    )
    upper = params.upper_lip_thickness * shape**0.45 * bow
    lower = params.lower_lip_thickness * shape**0.6
    return upper, lower


def face_parts(
    theta: np.ndarray, phi: np.ndarray, params: IdentityParams
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and materials at surface points.

    Args:
        theta, phi: float arrays of the same shape, surface coordinates.
        params: the identity.

    Returns:
        (label_19 uint8, material uint8), both of the input shape. Labels use
        `CELEBAMASK_HQ_19`; every head point is at least 'skin'.
    """
    theta = np.asarray(theta, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    p = params
    label = np.full(theta.shape, _LABEL["skin"], dtype=np.uint8)
    material = np.full(theta.shape, SKIN, dtype=np.uint8)

    # Nose: from between the eyes down to the nostrils, widening towards the tip.
    span = p.eye_phi - p.nose_tip_phi
    progress = np.clip((p.eye_phi - 0.02 - phi) / span, 0.0, 1.0)
    nose_half_width = 0.05 + (1.15 * p.nose_width - 0.05) * progress**1.3
    below_tip = np.clip((p.nose_tip_phi - phi) / 0.075, 0.0, 1.0)
    nose_half_width = nose_half_width * np.sqrt(np.clip(1.0 - below_tip**2, 0.0, 1.0))
    nose = (
        (phi <= p.eye_phi - 0.02)
        & (phi >= p.nose_tip_phi - 0.075)
        & (np.abs(theta) < nose_half_width)
    )
    label[nose] = _LABEL["nose"]

    for side, ear_name, brow_name, eye_name in (
        (-1.0, "r_ear", "r_brow", "r_eye"),
        (1.0, "l_ear", "l_brow", "l_eye"),
    ):
        ear = ((theta - side * EAR_THETA) / (0.12 * p.ear_size)) ** 2 + (
            (phi - (p.eye_phi - 0.12)) / (0.24 * p.ear_size)
        ) ** 2 < 1.0
        label[ear] = _LABEL[ear_name]

        centre, half_thickness, within = brow_centre(theta, p, side)
        brow = within & (np.abs(phi - centre) < half_thickness)
        label[brow] = _LABEL[brow_name]
        material[brow] = BROW

        d_theta, d_phi = eye_local(theta, phi, p, side)
        upper, lower, within = eye_lids(d_theta, p)
        eye = within & (d_phi < upper) & (d_phi > lower)
        label[eye] = _LABEL[eye_name]
        material[eye] = SCLERA
        radius = np.hypot(d_theta, d_phi)
        iris_radius = 0.95 * p.eye_half_height
        material[eye & (radius < iris_radius)] = IRIS
        material[eye & (radius < 0.38 * iris_radius)] = PUPIL

    band, within = mouth_band(theta, p)
    upper_thickness, lower_thickness = lip_thickness(theta, p)
    relative = phi - p.mouth_phi
    upper_lip = within & (relative >= band) & (relative < band + upper_thickness)
    lower_lip = within & (relative <= -band) & (relative > -band - lower_thickness)
    mouth = within & (np.abs(relative) < band)
    label[upper_lip] = _LABEL["u_lip"]
    material[upper_lip] = UPPER_LIP
    label[lower_lip] = _LABEL["l_lip"]
    material[lower_lip] = LOWER_LIP
    label[mouth] = _LABEL["mouth"]
    material[mouth] = MOUTH_INNER
    teeth = mouth & (relative > 0.3 * band) & (np.abs(theta) < 0.65 * p.mouth_half_width)
    material[teeth] = TEETH
    return label, material
