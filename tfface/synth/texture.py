"""Painting the identity's UV textures: a detailed RGB albedo and a near-infrared albedo.

Both are painted texel by texel from `face_parts` (which part and material is
here) plus seeded noise for skin pores, blotches, freckles, brow and beard
hairs, iris streaks and lip lines, so that reconstruction and perceptual losses
have real detail to work with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfface.synth import face_regions as regions
from tfface.synth.head import gaussian, phi_to_v, smoothstep, u_to_theta, v_to_phi
from tfface.synth.identity import IdentityParams
from tfface.synth.noise import fractal_noise, smooth_noise


@dataclass(frozen=True)
class IdentityTextures:
    """Albedo textures of one identity, indexed [row = v * (U - 1), column = u * (U - 1)].

    Attributes:
        rgb: float32 (U, U, 3) sRGB albedo in [0, 1].
        nir: float32 (U, U) near-infrared albedo in [0, 1].
    """

    rgb: np.ndarray
    nir: np.ndarray


def luminance(colour: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of sRGB values in the last axis."""
    return np.asarray(colour)[..., :3] @ np.array([0.2126, 0.7152, 0.0722])


def beard_density(theta: np.ndarray, phi: np.ndarray, params: IdentityParams) -> np.ndarray:
    """Where beard hair grows, in [0, 1]: jaw, chin and moustache (before stubble / full)."""
    p = params
    sides = 1.0 - smoothstep(0.95, 1.2, np.abs(theta))
    jaw = (phi < p.mouth_phi + 0.03) * sides
    moustache_phi = p.mouth_phi + p.lip_gap + p.upper_lip_thickness + 0.025
    moustache = (np.abs(phi - moustache_phi) < 0.03) & (np.abs(theta) < p.mouth_half_width + 0.06)
    density = np.maximum(jaw, moustache.astype(np.float64))
    return (density * np.clip((phi + 1.2) / 0.15, 0.0, 1.0)).astype(np.float32)


def paint_textures(params: IdentityParams, uv_size: int) -> IdentityTextures:
    """Paints the RGB and NIR albedo textures of `params` at `uv_size` x `uv_size`."""
    if uv_size < 16:
        raise ValueError(f"uv_size must be at least 16, got {uv_size}")
    p = params
    rng = np.random.default_rng([p.texture_seed, uv_size])
    size = uv_size
    grid = np.linspace(0.0, 1.0, size)
    u, v = np.meshgrid(grid, grid)
    theta, phi = u_to_theta(u), v_to_phi(v)
    label, material = regions.face_parts(theta, phi, p)
    texel = size / 256.0  # noise scales are given for a 256 texture

    skin = np.array(p.skin_tone, dtype=np.float32)
    blotches = fractal_noise(rng, size, size, 24 * texel, octaves=3)
    pores = smooth_noise(rng, size, size, max(1.0, 1.2 * texel))
    rgb = skin * (1.0 + 0.06 * blotches[..., None] + 0.035 * pores[..., None])
    # Redder cheeks, nose tip and ears; darker under the eyes.
    redness = p.blush * sum(
        gaussian(theta - side * 0.5, 0.14) * gaussian(phi - (p.mouth_phi + 0.22), 0.1)
        for side in (-1.0, 1.0)
    )
    redness = redness + 0.5 * gaussian(theta, 0.08) * gaussian(phi - p.nose_tip_phi, 0.05)
    redness = (
        redness
        + 0.4 * (label == regions._LABEL["l_ear"])
        + 0.4 * (label == regions._LABEL["r_ear"])
    )
    rgb = rgb * (1.0 - 0.12 * redness[..., None] * np.array([0.0, 1.0, 0.8]))
    under_eyes = sum(
        gaussian(theta - side * p.eye_theta, 0.12) * gaussian(phi - (p.eye_phi - 0.07), 0.03)
        for side in (-1.0, 1.0)
    )
    rgb = rgb * (1.0 - 0.1 * under_eyes[..., None])
    if p.freckles > 0:
        spots = smooth_noise(rng, size, size, max(1.0, 2.0 * texel)) > 2.0
        front = gaussian(theta, 0.6) * gaussian(phi - p.nose_tip_phi, 0.25)
        rgb = rgb * (1.0 - 0.25 * p.freckles * (spots * front)[..., None])

    hair_colour = np.array(p.hair_colour, dtype=np.float32)
    if p.beard != "none":
        strength = 0.45 if p.beard == "stubble" else 0.9
        speckle = np.clip(
            0.5 + 0.5 * smooth_noise(rng, size, size, max(1.0, texel), 3 * texel), 0.0, 1.0
        )
        beard = strength * beard_density(theta, phi, p) * speckle
        beard = beard * (material == regions.SKIN)
        rgb = rgb * (1.0 - beard[..., None]) + hair_colour * beard[..., None]
    else:
        beard = np.zeros_like(theta, dtype=np.float32)

    # Brows: strands running along theta.
    strands = np.clip(
        0.6 + 0.4 * smooth_noise(rng, size, size, max(1.0, 0.8 * texel), 5 * texel), 0.0, 1.2
    )
    brow = material == regions.BROW
    brow_colour = np.array(p.brow_colour, dtype=np.float32)
    rgb[brow] = brow_colour * strands[brow, None] + skin * (1.0 - strands[brow, None]) * 0.6

    # Eyes: sclera, iris with radial streaks and a dark limbal ring, pupil, lashes.
    for side in (-1.0, 1.0):
        d_theta, d_phi = regions.eye_local(theta, phi, p, side)
        radius = np.hypot(d_theta, d_phi)
        angle = np.arctan2(d_phi, d_theta)
        iris_radius = 0.95 * p.eye_half_height
        streaks = 0.8 + 0.2 * np.sin(angle * 23.0 + 3.0 * radius / iris_radius) * np.sin(
            angle * 7.0
        )
        limbal = np.clip((radius / iris_radius - 0.8) / 0.2, 0.0, 1.0)
        iris_rgb = np.array(p.iris_colour) * (streaks * (1.0 - 0.5 * limbal))[..., None]
        near = radius < 2 * p.eye_half_width
        is_iris = near & (material == regions.IRIS)
        rgb[is_iris] = iris_rgb[is_iris]
        upper, _, within = regions.eye_lids(d_theta, p)
        lashes = within & (d_phi >= upper) & (d_phi < upper + 0.012) & (material == regions.SKIN)
        rgb[lashes] = rgb[lashes] * 0.25 + 0.02
    corner_veins = 0.06 * (1.0 + pores)
    rgb[material == regions.SCLERA] = np.array([0.93, 0.9, 0.87]) * (
        1.0 - corner_veins[material == regions.SCLERA, None] * np.array([0.0, 1.0, 1.0])
    )
    rgb[material == regions.PUPIL] = 0.02

    # Lips with vertical lines, mouth interior, teeth.
    lip_lines = 1.0 + 0.06 * np.sin(theta * 240.0) * (0.5 + 0.5 * pores)
    lip_colour = np.array(p.lip_colour, dtype=np.float32)
    upper_lip = material == regions.UPPER_LIP
    lower_lip = material == regions.LOWER_LIP
    rgb[upper_lip] = lip_colour * 0.92 * lip_lines[upper_lip, None]
    rgb[lower_lip] = np.clip(lip_colour * 1.05, 0, 1) * lip_lines[lower_lip, None]
    mouth_v = phi_to_v(p.mouth_phi)
    inner = material == regions.MOUTH_INNER
    depth_shade = np.clip(1.0 - np.abs(v - mouth_v) * size / 6.0, 0.3, 1.0)
    rgb[inner] = np.array([0.28, 0.07, 0.07]) * depth_shade[inner, None]
    teeth = material == regions.TEETH
    gaps = 1.0 - 0.25 * (np.abs(np.sin(theta * 55.0)) < 0.12)
    rgb[teeth] = np.array([0.92, 0.9, 0.82]) * gaps[teeth, None]

    # Near-infrared albedo: bright, nearly tone-independent skin; dark pupils.
    nir_hair = 0.22 + 0.5 * float(luminance(hair_colour))
    nir_by_material = np.array(
        [0.78, nir_hair, 0.7, 0.72, 0.18, 0.8, 0.86, 0.62, 0.03], dtype=np.float32
    )
    nir = nir_by_material[material] * (1.0 + 0.03 * blotches + 0.03 * pores)
    nir = nir * (1.0 - beard * (1.0 - nir_hair / 0.78))
    nir[brow] = nir_hair * strands[brow]
    return IdentityTextures(
        np.clip(rgb, 0.0, 1.0).astype(np.float32), np.clip(nir, 0.0, 1.0).astype(np.float32)
    )
