"""Building, compiling and feeding the gated inpainting baseline for `tfface train gated_inpainting`."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.data.hole_masks import inpainting_batches
from tfface.networks.inpainting_gated_generator import build_gated_inpainting_generator
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.systems import registry
from tfface.systems.gated_inpainting.config import (
    GatedInpaintingConfig,
    GatedInpaintingModelConfig,
)
from tfface.systems.gated_inpainting.system import GatedInpaintingSystem
from tfface.systems.inpainting_export import inpainting_signatures
from tfface.systems.inpainting_perceptual import attach_perceptual_extractor
from tfface.systems.splits import split_pattern


def build_networks(model: GatedInpaintingModelConfig, seed: int = 0) -> dict[str, keras.Model]:
    """The gated coarse-to-fine "generator" and the SN-PatchGAN "discriminator" (image + mask)."""
    if model.image_size is None:
        raise ValueError(
            "build_networks needs model.image_size (GatedInpaintingConfig.resolved_model())"
        )
    keras.utils.set_random_seed(seed)
    return {
        "generator": build_gated_inpainting_generator(
            model.image_size,
            model.base_filters,
            model.dilation_rates,
            contextual_attention=model.contextual_attention,
            attention_rate=model.attention_rate,
            attention_softmax_scale=model.attention_softmax_scale,
            name="generator",
        ),
        "discriminator": build_spectral_patch_discriminator(
            model.image_size,
            4,  # image and hole mask
            model.discriminator_filters,
            model.discriminator_kernel_size,
            model.discriminator_strides,
            norm="none",
            output="features",
            name="discriminator",
        ),
    }


def build(config: GatedInpaintingConfig) -> GatedInpaintingSystem:
    """The system with freshly built networks (EMA over the generator if configured)."""
    model = config.resolved_model()
    return GatedInpaintingSystem(
        build_networks(model, seed=config.train.seed),
        model,
        ema_networks=("generator",) if model.ema_decay is not None else (),
        ema_decay=model.ema_decay,
        seed=config.train.seed,
    )


def compile_system(system: GatedInpaintingSystem, config: GatedInpaintingConfig) -> None:
    """Adam (Yu et al.: 1e-4, betas 0.5, 0.999) for the generator (train.learning_rate) and
    the discriminator (model.discriminator_learning_rate); VGG16 for the perceptual losses."""
    model = config.model

    def adam(rate: float) -> keras.optimizers.Adam:
        return keras.optimizers.Adam(rate, beta_1=model.beta_1, beta_2=model.beta_2)

    attach_perceptual_extractor(system)
    system.compile(
        optimizers={
            "generator": adam(config.train.learning_rate),
            "discriminator": adam(model.discriminator_learning_rate),
        },
        jit_compile=config.train.jit_compile,
    )


def dataset(config: GatedInpaintingConfig, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches {'image', 'hole_mask'} (`model.holes`) of `split` (train,
    validation or test)."""
    return inpainting_batches(
        split_pattern(data_dir, split),
        image_size=config.data.image_size,
        batch_size=config.train.batch_size,
        holes=config.model.holes,
        shuffle_buffer=config.data.shuffle_buffer,
        seed=config.data.seed,
    )


def preview(system: GatedInpaintingSystem, batch: dict) -> dict[str, tf.Tensor]:
    """Masked input (holes white), the coarse and inpainted outputs, and the real image."""
    images, holes = batch["image"], batch["hole_mask"]
    outputs = system.forward(images, holes)
    return {
        "masked": images * (1.0 - holes) + holes,
        "coarse": outputs["coarse"],
        "inpainted": outputs["image"],
        "real": images,
    }


SPEC = registry.register(
    registry.SystemSpec(
        name="gated_inpainting",
        config_class=GatedInpaintingConfig,
        build=build,
        compile=compile_system,
        dataset=dataset,
        preview=preview,
        export_signatures=inpainting_signatures,
    )
)
