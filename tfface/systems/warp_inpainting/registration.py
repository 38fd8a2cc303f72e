"""Building, compiling and feeding the warp inpainting system for `tfface train warp_inpainting`."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.data.hole_masks import inpainting_batches
from tfface.networks.hourglass_gap_discriminator import build_gap_discriminator
from tfface.networks.hourglass_residual import build_residual_hourglass
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.ops.hole_filling import nearest_fill
from tfface.systems import registry
from tfface.systems.inpainting_export import inpainting_signatures
from tfface.systems.inpainting_perceptual import attach_perceptual_extractor
from tfface.systems.splits import split_pattern
from tfface.systems.warp_inpainting.config import WarpInpaintingConfig, WarpInpaintingModelConfig
from tfface.systems.warp_inpainting.system import GENERATOR_NETWORKS, WarpInpaintingSystem

REGRESSOR_INPUT_CHANNELS = 4
"""The masked image x (3) and the known mask m (1)."""


def build_networks(model: WarpInpaintingModelConfig, seed: int = 0) -> dict[str, keras.Model]:
    """f_omega ("warp_regressor"), p_eta ("merger"), d_psi ("patch_discriminator") and h_xi
    ("gap_discriminator"), built from `model` (with its image_size set)."""
    if model.image_size is None:
        raise ValueError(
            "build_networks needs model.image_size (WarpInpaintingConfig.resolved_model())"
        )
    keras.utils.set_random_seed(seed)
    size, fields = model.image_size, model.warp_fields
    blocks = dict(
        encoder_blocks=model.encoder_blocks,
        residual_blocks=model.residual_blocks,
        decoder_blocks=model.decoder_blocks,
    )
    return {
        "warp_regressor": build_residual_hourglass(
            size,
            REGRESSOR_INPUT_CHANNELS,
            2 * fields,  # (dx, dy) per field
            model.regressor_base_filters,
            name="warp_regressor",
            **blocks,
        ),
        "merger": build_residual_hourglass(
            size,
            3 * (fields + 1) + 1,  # W-bar and m
            fields + 1,  # softmax logits over [x, w_1..w_K]
            model.regressor_base_filters * model.merger_filter_multiplier,
            name="merger",
            **blocks,
        ),
        "patch_discriminator": build_spectral_patch_discriminator(
            size,
            3,
            model.patch_filters,
            model.patch_kernel_size,
            model.patch_strides,
            norm=model.patch_norm,
            output="sigmoid",
            name="patch_discriminator",
        ),
        "gap_discriminator": build_gap_discriminator(
            size, model.gap_base_filters, model.gap_blocks, name="gap_discriminator"
        ),
    }


def build(config: WarpInpaintingConfig) -> WarpInpaintingSystem:
    """The system with freshly built networks (EMA over f_omega and p_eta if configured)."""
    model = config.resolved_model()
    return WarpInpaintingSystem(
        build_networks(model, seed=config.train.seed),
        model,
        ema_networks=GENERATOR_NETWORKS if model.ema_decay is not None else (),
        ema_decay=model.ema_decay,
        seed=config.train.seed,
    )


def compile_system(system: WarpInpaintingSystem, config: WarpInpaintingConfig) -> None:
    """Adam per network group (thesis sec. 4.2.3): the generator at train.learning_rate (2e-5),
    d_psi and h_xi at their own rates (1e-5); and the VGG16 of the perceptual losses."""
    model = config.model

    def adam(rate: float) -> keras.optimizers.Adam:
        return keras.optimizers.Adam(rate, beta_1=model.beta_1, beta_2=model.beta_2)

    attach_perceptual_extractor(system)
    system.compile(
        optimizers={
            "generator": adam(config.train.learning_rate),
            "discriminator": adam(model.discriminator_learning_rate),
            "gap_discriminator": adam(model.gap_discriminator_learning_rate),
        },
        jit_compile=config.train.jit_compile,
    )


def dataset(config: WarpInpaintingConfig, data_dir: str, split: str = "train") -> tf.data.Dataset:
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


def preview(system: WarpInpaintingSystem, batch: dict) -> dict[str, tf.Tensor]:
    """Masked input (holes white), nearest fill, the inpainted image and the real one."""
    images, holes = batch["image"], batch["hole_mask"]
    masked = images * (1.0 - holes) + holes  # holes drawn white
    return {
        "masked": masked,
        "nearest_fill": nearest_fill(images * (1.0 - holes), 1.0 - holes),
        "inpainted": system({"image": images, "hole_mask": holes}),
        "real": images,
    }


SPEC = registry.register(
    registry.SystemSpec(
        name="warp_inpainting",
        config_class=WarpInpaintingConfig,
        build=build,
        compile=compile_system,
        dataset=dataset,
        preview=preview,
        export_signatures=inpainting_signatures,
    )
)
