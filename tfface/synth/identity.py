"""Identity parameters of SynthFaces: everything that makes one person that person.

Angles on the head surface are in radians: `theta` is the azimuth (0 at the
front, > 0 towards the subject's left, which is the image's right in a frontal
view) and `phi` the elevation (0 at the head's equator, > 0 up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Skin tones (sRGB, 0..1), light to dark, from common make-up foundation palettes.
SKIN_TONES = np.array(
    [
        [0.96, 0.80, 0.69],
        [0.93, 0.76, 0.62],
        [0.87, 0.69, 0.56],
        [0.80, 0.60, 0.46],
        [0.70, 0.50, 0.37],
        [0.58, 0.40, 0.28],
        [0.45, 0.30, 0.21],
        [0.33, 0.22, 0.16],
    ]
)
HAIR_COLOURS = {
    "black": (0.06, 0.05, 0.05),
    "dark_brown": (0.18, 0.11, 0.07),
    "brown": (0.35, 0.22, 0.12),
    "auburn": (0.45, 0.18, 0.08),
    "blonde": (0.80, 0.66, 0.42),
    "red": (0.62, 0.25, 0.10),
    "grey": (0.62, 0.62, 0.60),
}
IRIS_COLOURS = {
    "dark_brown": (0.22, 0.12, 0.06),
    "brown": (0.40, 0.24, 0.10),
    "hazel": (0.50, 0.40, 0.18),
    "green": (0.30, 0.45, 0.25),
    "blue": (0.30, 0.48, 0.70),
    "grey": (0.50, 0.55, 0.58),
}
HAIR_STYLES = ("short", "medium", "long", "bob", "buzz")


@dataclass(frozen=True)
class IdentityParams:
    """The shape and appearance parameters of one synthetic person.

    Head shape: semi-axes of the head ellipsoid (model units, about 7.5 cm),
    jaw taper and chin. Feature placement is given on the head surface in
    (theta, phi) radians. Colours are sRGB in [0, 1].
    """

    identity: int
    head_width: float
    head_height: float
    head_depth: float
    jaw_taper: float
    chin_height: float
    cheekbone_height: float
    eye_theta: float
    eye_phi: float
    eye_half_width: float
    eye_half_height: float
    eye_tilt: float
    brow_gap: float
    brow_thickness: float
    brow_arch: float
    brow_length: float
    nose_tip_phi: float
    nose_height: float
    nose_width: float
    mouth_phi: float
    mouth_half_width: float
    upper_lip_thickness: float
    lower_lip_thickness: float
    lip_gap: float
    ear_size: float
    skin_tone: tuple[float, float, float]
    lip_colour: tuple[float, float, float]
    iris_colour: tuple[float, float, float]
    iris_name: str
    hair_colour: tuple[float, float, float]
    hair_name: str
    brow_colour: tuple[float, float, float]
    hair_style: str
    bangs: bool
    hairline_phi: float
    hair_thickness: float
    hair_part: float
    glasses: bool
    glasses_colour: tuple[float, float, float]
    beard: str
    cloth_colour: tuple[float, float, float]
    freckles: float
    blush: float
    texture_seed: int

    def to_json(self) -> dict:
        """A JSON-serialisable description (used by the dataset side files)."""
        return {
            key: (list(value) if isinstance(value, tuple) else value)
            for key, value in self.__dict__.items()
        }


def _tone(rng: np.random.Generator) -> tuple[float, float, float]:
    position = rng.uniform(0, len(SKIN_TONES) - 1)
    low = int(np.floor(position))
    high = min(low + 1, len(SKIN_TONES) - 1)
    tone = SKIN_TONES[low] * (1 - (position - low)) + SKIN_TONES[high] * (position - low)
    tone = tone * rng.uniform(0.95, 1.05, size=3)
    return tuple(float(v) for v in np.clip(tone, 0.05, 0.88))


def sample_identity(seed: int, identity: int) -> IdentityParams:
    """Draws the parameters of `identity` from the generator seeded by (seed, identity)."""
    if identity < 0:
        raise ValueError(f"identity must be a non-negative integer, got {identity}")
    rng = np.random.default_rng([int(seed), int(identity), 0x5F17])
    skin_tone = _tone(rng)
    hair_name = str(rng.choice(list(HAIR_COLOURS)))
    hair_colour = tuple(
        float(v) for v in np.clip(np.array(HAIR_COLOURS[hair_name]) * rng.uniform(0.85, 1.15), 0, 1)
    )
    iris_name = str(rng.choice(list(IRIS_COLOURS)))
    iris_colour = tuple(
        float(v) for v in np.clip(np.array(IRIS_COLOURS[iris_name]) * rng.uniform(0.8, 1.2), 0, 1)
    )
    lip_base = np.array(skin_tone) * np.array([0.95, 0.62, 0.62]) + np.array([0.08, 0.0, 0.02])
    lip_colour = tuple(float(v) for v in np.clip(lip_base * rng.uniform(0.85, 1.05), 0, 1))
    brow_colour = tuple(float(v) for v in np.clip(np.array(hair_colour) * 0.8 + 0.02, 0, 1))
    hair_style = str(rng.choice(HAIR_STYLES, p=[0.3, 0.2, 0.25, 0.15, 0.1]))
    beard = str(rng.choice(["none", "stubble", "full"], p=[0.7, 0.15, 0.15]))
    eye_phi = rng.uniform(0.04, 0.11)
    return IdentityParams(
        identity=int(identity),
        head_width=rng.uniform(0.74, 0.86),
        head_height=rng.uniform(0.98, 1.08),
        head_depth=rng.uniform(0.88, 0.98),
        jaw_taper=rng.uniform(0.18, 0.36),
        chin_height=rng.uniform(0.03, 0.08),
        cheekbone_height=rng.uniform(0.03, 0.07),
        eye_theta=rng.uniform(0.40, 0.46),
        eye_phi=eye_phi,
        eye_half_width=rng.uniform(0.16, 0.19),
        eye_half_height=rng.uniform(0.055, 0.072),
        eye_tilt=rng.uniform(-0.08, 0.12),
        brow_gap=rng.uniform(0.12, 0.16),
        brow_thickness=rng.uniform(0.028, 0.045),
        brow_arch=rng.uniform(0.01, 0.04),
        brow_length=rng.uniform(0.34, 0.42),
        nose_tip_phi=eye_phi - rng.uniform(0.30, 0.36),
        nose_height=rng.uniform(0.24, 0.36),
        nose_width=rng.uniform(0.11, 0.15),
        mouth_phi=eye_phi - rng.uniform(0.52, 0.58),
        mouth_half_width=rng.uniform(0.22, 0.29),
        upper_lip_thickness=rng.uniform(0.030, 0.045),
        lower_lip_thickness=rng.uniform(0.040, 0.058),
        lip_gap=rng.uniform(0.018, 0.024),
        ear_size=rng.uniform(0.9, 1.1),
        skin_tone=skin_tone,
        lip_colour=lip_colour,
        iris_colour=iris_colour,
        iris_name=iris_name,
        hair_colour=hair_colour,
        hair_name=hair_name,
        brow_colour=brow_colour,
        hair_style=hair_style,
        bangs=bool(rng.random() < 0.3) and hair_style != "buzz",
        hairline_phi=rng.uniform(0.52, 0.66),
        hair_thickness=rng.uniform(0.06, 0.10) if hair_style != "buzz" else 0.02,
        hair_part=rng.uniform(-0.5, 0.5),
        glasses=bool(rng.random() < 0.15),
        glasses_colour=tuple(float(v) for v in rng.uniform(0.02, 0.4, size=3)),
        beard=beard,
        cloth_colour=tuple(float(v) for v in rng.uniform(0.05, 0.9, size=3)),
        freckles=float(rng.random() < 0.2) * rng.uniform(0.3, 1.0),
        blush=rng.uniform(0.0, 0.6),
        texture_seed=int(rng.integers(0, 2**31 - 1)),
    )
