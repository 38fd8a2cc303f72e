"""The contract case of every shipped system: one line each (tests/systems/test_system_contract.py).

A case names the system, the SynthFaces recipe of its data, the overrides that make its tiny
preset fast here and the extra overrides that switch every loss term on for the two-replica
check (`system_kit.Case`). Other tests that run every system (tests/systems/
test_held_out_losses.py) read their data from here too. A new system adds its line.
"""

from __future__ import annotations

from system_kit import (
    FACES,
    FITS,
    NIR_PAIRS,
    OCCLUSIONS,
    PAINTING_PAIRS,
    POSE_PAIRS,
    UV_FACES,
    Case,
)

PERCEPTUAL = ("model.perceptual_weights=random", "model.content_weight=0.02")
PERCEPTUAL += ("model.style_weight=50000",)
"""Overrides that switch the VGG16 perceptual losses on (random weights: nothing downloaded)."""

MULTIMODAL_TERMS = ("model.perceptual_weight=1", "model.style_diversity_weight=1")
MULTIMODAL_TERMS += ("model.style_diversity_distance=l1", "model.identity_reconstruction_weight=1")
MULTIMODAL_TERMS += ("model.identity_distance=l1", "model.style_mapping=true")
"""Overrides that switch every multimodal term on (D-feature perceptual loss, L1 distances,
style mapping; no VGG-19, which the tests of the distances cover)."""

PE_TERMS = ("model.perceptual_weight=1",)
"""pose_editing with its VGG16 perceptual terms (the tiny preset's perceptual_weights: random)."""

CASES = (
    Case("mask_guided", FACES, ("model.parser_pretrain_steps=1",), steps=3),
    Case("warp_rotation", POSE_PAIRS),
    Case("warp_inpainting", FACES, all_losses=PERCEPTUAL),
    Case("gated_inpainting", FACES, all_losses=PERCEPTUAL, replica_learning_rate=1e-4),
    Case("template", FACES),
    Case("face_reconstruction", FITS),
    Case("uv_completion", UV_FACES, ("model.sampler_steps=1",), steps=3),
    Case("deocclusion", OCCLUSIONS),
    Case("face_recognition", FACES),
    Case("multimodal", NIR_PAIRS, all_losses=MULTIMODAL_TERMS),
    Case("pose_editing", POSE_PAIRS, ("model.pretrain_steps=1",), PE_TERMS, steps=2),
    Case("pix2pix", PAINTING_PAIRS, ("model.dropout_rate=0",)),
    Case("cycle_gan", PAINTING_PAIRS),
)
