"""Config of `multimodal`: synthetic render -> near-infrared face translation (Bergqvist 2020).

Every number of the thesis's Table 3.8 is a default here; the configurations of its tables
4.1-4.8 are presets made from their names (`tfface/systems/multimodal/naming.py`). Where the
thesis is open, the default follows `shared/methods/multimodal.md` section 5 (cited as
"ours").
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from tfface.config import ConfigError, DataConfig, TrainConfig
from tfface.config.model_config import (
    ModelConfig,
    SystemConfig,
    non_negative,
    positive,
    unit_interval,
)

Generator = Literal["ed", "multinorm"]
AdversarialForm = Literal["original", "least_squares", "hinge"]
ImageDistance = Literal["l1", "discriminator_last_two", "discriminator_all", "vgg19", "face_id"]

PAPER_EPOCH_STEPS = 13500
"""Iterations per epoch of the thesis: ~162,000 training pairs / batch 12 (l.669)."""


@dataclasses.dataclass(frozen=True)
class MultimodalModelConfig(ModelConfig):
    """Networks, loss terms (Eq. 3.5) and optimizers of the multimodal translator.

    Args:
        generator: "ed" (encoder-decoder with AdaIN ResBlocks, Table 3.4) or "multinorm"
            (SPADE + AdaIN ResBlocks from a learned input, Table 3.5).
        first_filters: filters of the ED generator's first 3x3 convolution (16).
        encoder_filters: filters of the ED encoder's down ResBlocks (AvgPool, BatchNorm).
        decoder_filters: filters of the up AdaIN (ED) or Multinorm ResBlocks.
        batch_norm_momentum: moving-average momentum of the generators' BatchNorms (Keras
            convention; 0.9 = PyTorch's default momentum 0.1, the framework of the thesis).
        multinorm_input: "constant" (a learned 512-d constant, the text l.991) or "latent"
            (the style vector, Table 3.5) fed to the Multinorm generator's Linear layer.
        multinorm_constant_size: size of that learned constant (512).
        spade_hidden_filters: hidden filters of each SPADE (128, Park et al. 2019).
        latent_encoder_filters: E's first convolution then its down ResBlocks (Table 3.6).
        latent_encoder_output: "leaky_relu" (Table 3.6 as printed) or "linear".
        latent_size: size of z (and of s, the style vector) (512).
        style_mapping: use the mapping network L (z -> s, Table 3.7; "SM").
        style_mapping_layers: Linear layers of L (8: 7 ReLU + 1 linear).
        discriminator_filters: filters of the PatchGAN's feature convolutions (Table 3.3).
        discriminator_strides: their strides (2, 2, 2, 2, 1 as SEEDS.md decides); the final
            1-channel convolution has stride 1. Every convolution is 4x4 with zero padding 2.
        adversarial_form: "original", "least_squares" or "hinge" (Table 2.1; "O", "LS", "H").
        saturating_original: the original form's generator term as printed (saturating);
            False (ours): the non-saturating -log D(G) (ED-O trained, which the saturating
            form rarely does).
        perceptual_weight: lambda_p of Eq. 3.5 ("P"); 0 = off.
        perceptual_distance: d of L_p: "discriminator_last_two" (D layers 4 & 5),
            "discriminator_all", "vgg19" (relu1_1..relu5_1, L1, pix2pixHD weights) or
            "face_id".
        latent_reconstruction_weight: lambda_lr ("LR"), ||s - E(G(y, s))||_1 (Eq. 3.1).
        style_diversity_weight: lambda_sd ("SD"); the ratio of Eq. 3.2 is SUBTRACTED
            (maximised, SEEDS.md).
        style_diversity_distance: d_I of Eq. 3.2.
        style_diversity_latent_distance: d_z: "constant" (1) or "l1".
        identity_reconstruction_weight: lambda_ir ("IR"), d_I(x, G(y, E(x))) (Eq. 3.3).
        identity_distance: its d_I ("face_id", "l1" or "vgg19").
        vgg_weights: VGG-19 weights of the "vgg19" distances ("imagenet", a path, "random").
        face_id_model: a face-embedding network (`tfface.weights.load_identity_network`) for
            the "face_id" distances (L1 between embeddings). The thesis's VGGFace2 ResNet-50
            is not shipped: without a model "face_id" uses VGG-19 as a labelled stand-in.
        generator_learning_rate, discriminator_learning_rate, encoder_learning_rate,
        mapping_learning_rate: Adam rates of G, D, E and L (Table 3.8).
        beta_1, beta_2: Adam betas (0.5, 0.999).
        decay_fraction: the rates are constant for the first (1 - decay_fraction) of the
            steps, then fall linearly to 0 (Table 3.8: 10 + 10 of 20 epochs -> 0.5).
        augment: the paired augmentation of Table 3.1 (`tfface.data.augment` defaults).
    """

    generator: Generator = "ed"
    first_filters: int = positive(16)
    encoder_filters: tuple[int, ...] = positive((32, 64, 128, 256, 256))
    decoder_filters: tuple[int, ...] = positive((256, 128, 64, 32, 16))
    batch_norm_momentum: float = unit_interval(0.9)
    multinorm_input: Literal["constant", "latent"] = "constant"
    multinorm_constant_size: int = positive(512)
    spade_hidden_filters: int = positive(128)
    latent_encoder_filters: tuple[int, ...] = positive((32, 64, 128, 256, 512, 512, 512))
    latent_encoder_output: Literal["leaky_relu", "linear"] = "leaky_relu"
    latent_size: int = positive(512)
    style_mapping: bool = False
    style_mapping_layers: int = positive(8)
    discriminator_filters: tuple[int, ...] = positive((32, 64, 128, 256, 512))
    discriminator_strides: tuple[int, ...] = positive((2, 2, 2, 2, 1))
    adversarial_form: AdversarialForm = "least_squares"
    saturating_original: bool = False
    perceptual_weight: float = non_negative(0.0)
    perceptual_distance: ImageDistance = "discriminator_last_two"
    latent_reconstruction_weight: float = non_negative(0.0)
    style_diversity_weight: float = non_negative(0.0)
    style_diversity_distance: ImageDistance = "face_id"
    style_diversity_latent_distance: Literal["constant", "l1"] = "constant"
    identity_reconstruction_weight: float = non_negative(0.0)
    identity_distance: ImageDistance = "face_id"
    vgg_weights: str = "imagenet"
    face_id_model: str = ""
    generator_learning_rate: float = positive(1.5e-4)
    discriminator_learning_rate: float = positive(4.5e-4)
    encoder_learning_rate: float = positive(1.5e-4)
    mapping_learning_rate: float = positive(4.5e-6)
    beta_1: float = unit_interval(0.5)
    beta_2: float = unit_interval(0.999)
    decay_fraction: float = unit_interval(0.5)
    augment: bool = True

    @property
    def uses_latent_encoder(self) -> bool:
        """E exists when a term needs it (LR or IR)."""
        return self.latent_reconstruction_weight > 0 or self.identity_reconstruction_weight > 0

    def distances(self) -> set[str]:
        """The image distances the switched-on terms use."""
        used = set()
        if self.perceptual_weight > 0:
            used.add(self.perceptual_distance)
        if self.style_diversity_weight > 0:
            used.add(self.style_diversity_distance)
        if self.identity_reconstruction_weight > 0:
            used.add(self.identity_distance)
        return used

    def validate(self) -> None:
        """Resolutions the networks reach exactly, matching lengths, usable distances."""
        if len(self.discriminator_strides) != len(self.discriminator_filters):
            raise ConfigError(
                f"model.discriminator_strides ({len(self.discriminator_strides)}) and "
                f"model.discriminator_filters ({len(self.discriminator_filters)}) differ in length"
            )
        if any(stride not in (1, 2) for stride in self.discriminator_strides):
            raise ConfigError(
                f"model.discriminator_strides must be 1 or 2, got {self.discriminator_strides}"
            )
        if self.generator == "ed" and len(self.encoder_filters) != len(self.decoder_filters):
            raise ConfigError(
                "the ED generator's model.encoder_filters and model.decoder_filters must have "
                f"the same length, got {self.encoder_filters} and {self.decoder_filters}"
            )
        if self.identity_distance.startswith("discriminator"):
            raise ConfigError(
                "model.identity_distance must be face_id, l1 or vgg19 (the thesis's choices)"
            )
        size = self.image_size
        if size is None:
            return
        checks = [("model.decoder_filters", len(self.decoder_filters))]
        if self.generator == "ed":
            checks.append(("model.encoder_filters", len(self.encoder_filters)))
        checks.append(("model.latent_encoder_filters", len(self.latent_encoder_filters) - 1))
        for field, halvings in checks:
            if size % 2**halvings:
                raise ConfigError(
                    f"model.image_size {size} must be divisible by 2^{halvings} ({field} "
                    "halves it that many times)"
                )
        if len(self.latent_encoder_filters) < 1:
            raise ConfigError("model.latent_encoder_filters needs at least one entry")


@dataclasses.dataclass(frozen=True)
class MultimodalConfig(SystemConfig):
    """Experiment config of `tfface train multimodal`."""

    model: MultimodalModelConfig = dataclasses.field(default_factory=MultimodalModelConfig)


def paper_schedule(epochs: int = 20) -> TrainConfig:
    """Table 3.8: 20 epochs of ~13,500 iterations at batch 12."""
    return TrainConfig(
        steps=epochs * PAPER_EPOCH_STEPS,
        batch_size=12,
        learning_rate=1.5e-4,
        log_every=500,
        checkpoint_every=PAPER_EPOCH_STEPS,
    )


PAPER_DATA = DataConfig(image_size=128)
"""128 x 128 images (l.646)."""

TINY_DATA = DataConfig(image_size=64, shuffle_buffer=64)
TINY_MODEL = dict(
    first_filters=8,
    encoder_filters=(16, 32, 32),
    decoder_filters=(32, 32, 16),
    multinorm_constant_size=32,
    spade_hidden_filters=16,
    latent_encoder_filters=(16, 32, 32, 32, 32),
    latent_size=16,
    style_mapping_layers=3,
    discriminator_filters=(16, 32, 64),
    discriminator_strides=(2, 2, 1),
    generator_learning_rate=1e-3,
    discriminator_learning_rate=1e-3,
    encoder_learning_rate=1e-3,
    mapping_learning_rate=3e-5,
    augment=False,
)
"""Sizes of the tiny variants (64 px, tiny widths, Table 3.8's lr ratios, no augmentation):
tests, smoke runs and `tfface sweep multimodal --tiny`."""


def tiny_schedule() -> TrainConfig:
    return TrainConfig(steps=300, batch_size=8, log_every=50, checkpoint_every=100)


def tiny_variant(config: MultimodalConfig, preset: str | None = None) -> MultimodalConfig:
    """`config` (any preset) at the tiny sizes: 64 px, tiny widths, 300 steps of batch 8."""
    model = dataclasses.replace(config.model, **TINY_MODEL)
    return dataclasses.replace(
        config,
        preset=preset or f"tiny-{config.preset}",
        data=TINY_DATA,
        train=tiny_schedule(),
        model=model,
    )
