"""Configuration names of Bergqvist 2020 (Table 4.1) -> model settings.

A name is `Generator-Adversarial[-Term...][-Variant]`:

| token | meaning (Table 4.1)            | settings                                           |
|-------|--------------------------------|----------------------------------------------------|
| ED    | encoder-decoder generator      | generator = "ed"                                   |
| Mult  | Multinorm generator            | generator = "multinorm"                            |
| O     | original adversarial loss      | adversarial_form = "original"                      |
| H     | hinge adversarial loss         | adversarial_form = "hinge"                         |
| LS    | least-squares adversarial loss | adversarial_form = "least_squares"                 |
| P     | perceptual loss                | perceptual_weight 1, D layers 4 & 5                |
| LR    | latent reconstruction loss     | latent_reconstruction_weight 1                     |
| SD    | style diversity loss           | style_diversity_weight 1, d_I FaceId, d_z const 1  |
| IR    | identity reconstruction loss   | identity_reconstruction_weight 1, d_I FaceId       |
| SM    | style mapping network          | style_mapping = True                               |

The terms come in the order P, LR, SD, IR, SM. A trailing number is a variant: the rows of
a table that share the other tokens (ED-LS-LR-1/2/3 = lambda_lr 1, 2, 5; `VARIANTS`);
families whose settings the tables state without a variant number are in `FAMILIES`
(ED-H-LR-IR: lambda_lr 2 and d_I L1, ...). Settings the thesis leaves unstated follow
shared/methods/multimodal.md sec. 5.13 (e.g. lambda_lr 2 for ED-LS-LR-SD).

    model_settings("ED-LS-LR-2")  # {'generator': 'ed', 'adversarial_form': 'least_squares',
                                  #  'latent_reconstruction_weight': 2.0}
"""

from __future__ import annotations

from typing import Any

from tfface.config import ConfigError

GENERATORS = {"ED": "ed", "Mult": "multinorm"}
ADVERSARIAL = {"O": "original", "H": "hinge", "LS": "least_squares"}
TERMS: dict[str, dict[str, Any]] = {
    "P": {"perceptual_weight": 1.0, "perceptual_distance": "discriminator_last_two"},
    "LR": {"latent_reconstruction_weight": 1.0},
    "SD": {
        "style_diversity_weight": 1.0,
        "style_diversity_distance": "face_id",
        "style_diversity_latent_distance": "constant",
    },
    "IR": {"identity_reconstruction_weight": 1.0, "identity_distance": "face_id"},
    "SM": {"style_mapping": True},
}
"""Each term token's settings (Table 4.1 and the tables' common values)."""

FAMILIES: dict[str, dict[str, Any]] = {
    "ED-LS-LR-SD": {"latent_reconstruction_weight": 2.0},  # ours (methods 5.13)
    "ED-LS-LR-SD-SM": {"latent_reconstruction_weight": 2.0},  # ours (methods 5.13)
    # Table 4.7 C "feature matching": VGG-19 all layers, lambda_p 1 (methods 5.12).
    "ED-LS-P-LR-SD-SM": {"latent_reconstruction_weight": 2.0, "perceptual_distance": "vgg19"},
    "ED-H-LR-IR": {"latent_reconstruction_weight": 2.0, "identity_distance": "l1"},  # 4.8 E
}
"""Settings of a whole family (the name without a variant number) beyond its tokens'."""

VARIANTS: dict[str, dict[int, dict[str, Any]]] = {
    "ED-LS-P": {  # Table 4.4 B-D
        1: {"perceptual_distance": "discriminator_last_two"},
        2: {"perceptual_distance": "discriminator_all"},
        3: {"perceptual_distance": "vgg19"},
    },
    "ED-LS-LR": {  # Table 4.5 A-C
        1: {"latent_reconstruction_weight": 1.0},
        2: {"latent_reconstruction_weight": 2.0},
        3: {"latent_reconstruction_weight": 5.0},
    },
    "ED-H-LR-SD": {  # Table 4.6 B-F (lambda_lr 1: methods 5.13)
        1: {"style_diversity_distance": "face_id", "style_diversity_latent_distance": "constant"},
        2: {"style_diversity_distance": "face_id", "style_diversity_latent_distance": "l1"},
        3: {"style_diversity_distance": "l1", "style_diversity_latent_distance": "constant"},
        4: {
            "style_diversity_distance": "discriminator_all",
            "style_diversity_latent_distance": "constant",
        },
        5: {"style_diversity_distance": "vgg19", "style_diversity_latent_distance": "constant"},
    },
    "ED-LS-LR-IR": {  # Table 4.8 A-D
        1: {"identity_distance": "face_id", "latent_reconstruction_weight": 1.0},
        2: {"identity_distance": "face_id", "latent_reconstruction_weight": 2.0},
        3: {"identity_distance": "l1", "latent_reconstruction_weight": 2.0},
        4: {"identity_distance": "vgg19", "latent_reconstruction_weight": 2.0},
    },
}
"""Numbered variants of a family: the rows of one table."""


def split_name(name: str) -> tuple[str, list[str], int | None]:
    """'ED-LS-LR-2' -> ('ED-LS-LR', ['ED', 'LS', 'LR'], 2); checks the tokens.

    Raises:
        ConfigError: unknown or misplaced tokens, with the naming scheme in the message.
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"a configuration name is a non-empty string, got {name!r}")
    tokens = name.split("-")
    variant = None
    if tokens[-1].isdigit():
        variant = int(tokens.pop())
    scheme = (
        "names are Generator-Adversarial[-Term...][-Variant]: generator ED or Mult, "
        "adversarial O, H or LS, terms P, LR, SD, IR, SM in this order"
    )
    if len(tokens) < 2 or tokens[0] not in GENERATORS or tokens[1] not in ADVERSARIAL:
        raise ConfigError(f"configuration {name!r}: {scheme}")
    terms = tokens[2:]
    order = list(TERMS)
    unknown = [term for term in terms if term not in TERMS]
    if unknown:
        raise ConfigError(f"configuration {name!r}: unknown terms {unknown}; {scheme}")
    positions = [order.index(term) for term in terms]
    if positions != sorted(set(positions)):
        raise ConfigError(f"configuration {name!r}: repeated or misordered terms; {scheme}")
    return "-".join(tokens), tokens, variant


def model_settings(name: str) -> dict[str, Any]:
    """The `MultimodalModelConfig` fields that configuration `name` sets (module docstring).

    Raises:
        ConfigError: a malformed name, or a variant number its family does not have.
    """
    family, tokens, variant = split_name(name)
    settings: dict[str, Any] = {
        "generator": GENERATORS[tokens[0]],
        "adversarial_form": ADVERSARIAL[tokens[1]],
    }
    for term in tokens[2:]:
        settings.update(TERMS[term])
    settings.update(FAMILIES.get(family, {}))
    if variant is not None:
        variants = VARIANTS.get(family)
        if variants is None or variant not in variants:
            known = sorted(variants) if variants else []
            raise ConfigError(
                f"configuration {name!r}: family {family} has "
                + (f"variants {known}" if known else "no numbered variants")
            )
        settings.update(variants[variant])
    return settings
