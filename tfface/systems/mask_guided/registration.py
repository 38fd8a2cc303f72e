"""Building, compiling and feeding the mask-guided system for `tfface train mask_guided`."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.data.labels import PORTRAIT_11
from tfface.data.reader import make_dataset
from tfface.networks import (
    build_background_encoder,
    build_background_fusing_generator,
    build_component_encoder,
    build_component_feature_decoder,
    build_component_image_decoder,
    build_conditional_patch_discriminator,
    build_face_parser,
    build_mask_encoder,
    build_mask_guided_generator,
    build_multi_mask_encoder,
)
from tfface.systems import registry
from tfface.systems.mask_guided.components import (
    COMPONENT_NAMES,
    REGION_COMPONENTS,
    component_sizes,
)
from tfface.systems.mask_guided.config import MaskGuidedConfig, MaskGuidedModelConfig
from tfface.systems.mask_guided.export import mask_guided_signatures
from tfface.systems.mask_guided.system import CLASSES, GENERATOR_NETWORKS, MaskGuidedSystem
from tfface.systems.splits import split_pattern
from tfface.training.schedules import ConstantThenLinearDecay

REGION_EXTRA_DOWNSAMPLINGS = 3
"""Skin and hair encoders (whole images) halve 3 more times than the eye / mouth encoders
(Gu et al.: 7 halvings for 256 px skin images, 4 for the crops)."""


def build_networks(model: MaskGuidedModelConfig, seed: int = 0) -> dict[str, keras.Model]:
    """Every network of the system, built from `model` (with its image_size set).

    Names: '<component>_encoder', '<component>_decoder', '<component>_feature_decoder' for
    the five components, 'mask_encoder', 'mask_guided_generator', 'background_encoder',
    'background_fusing_generator', 'discriminator_1', 'discriminator_2', 'face_parser'.
    """
    if model.image_size is None:
        raise ValueError(
            "build_networks needs model.image_size (MaskGuidedConfig.resolved_model())"
        )
    keras.utils.set_random_seed(seed)
    size = model.image_size
    networks: dict[str, keras.Model] = {}
    for name, component_size in component_sizes(size).items():
        downsamplings = model.local_downsamplings + (
            REGION_EXTRA_DOWNSAMPLINGS if name in REGION_COMPONENTS else 0
        )
        shared = dict(
            component_size=component_size,
            component=name,
            base_filters=model.local_base_filters,
            max_filters=model.local_max_filters,
            latent_dim=model.latent_dim,
            norm=model.local_norm,
        )
        networks[f"{name}_encoder"] = build_component_encoder(
            downsamplings=downsamplings, variational=model.vae_local_embeddings, **shared
        )
        networks[f"{name}_decoder"] = build_component_image_decoder(
            upsamplings=downsamplings, **shared
        )
        networks[f"{name}_feature_decoder"] = build_component_feature_decoder(
            feature_channels=model.feature_channels, upsamplings=downsamplings, **shared
        )
    mask_encoder = (
        build_multi_mask_encoder if model.multi_target_mask_encoder else build_mask_encoder
    )
    networks["mask_encoder"] = mask_encoder(size, CLASSES, model.base_filters)
    fused_channels = (
        networks["mask_encoder"].output.shape[-1] + len(COMPONENT_NAMES) * model.feature_channels
    )
    networks["mask_guided_generator"] = build_mask_guided_generator(
        size, fused_channels, model.base_filters, model.downsamplings, model.residual_blocks
    )
    networks["background_encoder"] = build_background_encoder(size, model.base_filters)
    networks["background_fusing_generator"] = build_background_fusing_generator(
        size, model.base_filters, model.base_filters, model.base_filters
    )
    for scale in range(2):
        networks[f"discriminator_{scale + 1}"] = build_conditional_patch_discriminator(
            size,
            CLASSES,
            model.discriminator_base_filters,
            model.discriminator_layers,
            input_downsamplings=scale,
            name=f"discriminator_{scale + 1}",
        )
    networks["face_parser"] = build_face_parser(
        size, CLASSES, model.parser_base_filters, model.parser_depth, norm=model.parser_norm
    )
    return networks


def build(config: MaskGuidedConfig) -> MaskGuidedSystem:
    """The system with freshly built networks (EMA over the inference networks if configured)."""
    model = config.resolved_model()
    return MaskGuidedSystem(
        build_networks(model, seed=config.train.seed),
        model,
        ema_networks=GENERATOR_NETWORKS if model.ema_decay is not None else (),
        ema_decay=model.ema_decay,
        seed=config.train.seed,
    )


def _adam(
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule,
    model: MaskGuidedModelConfig,
    beta_1: float | None = None,
) -> keras.optimizers.Adam:
    return keras.optimizers.Adam(
        learning_rate,
        beta_1=model.beta_1 if beta_1 is None else beta_1,
        beta_2=model.beta_2,
        epsilon=model.epsilon,
    )


def compile_system(system: MaskGuidedSystem, config: MaskGuidedConfig) -> None:
    """Adam per optimizer group (thesis sec. 4.3.1): the generator and discriminators at
    train.learning_rate, constant then linearly decayed to zero over the generator steps;
    the parser at parser_learning_rate, decayed to zero over its pre-training."""
    model = config.model
    generator_steps = max(config.train.steps - model.parser_pretrain_steps, 1)

    def schedule() -> ConstantThenLinearDecay:
        return ConstantThenLinearDecay(
            config.train.learning_rate, generator_steps, model.decay_start
        )

    parser_rate = (
        ConstantThenLinearDecay(model.parser_learning_rate, model.parser_pretrain_steps)
        if model.parser_pretrain_steps > 1
        else model.parser_learning_rate
    )
    system.compile(
        optimizers={
            "parser": _adam(parser_rate, model, model.parser_beta_1),
            "generator": _adam(schedule(), model),
            "discriminator": _adam(schedule(), model),
        },
        jit_compile=config.train.jit_compile,
    )


def dataset(config: MaskGuidedConfig, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches of `split` (train, validation or test) with crops and append
    regions."""
    return make_dataset(
        split_pattern(data_dir, split),
        features=("image", "label_map_11"),
        batch_size=config.train.batch_size,
        image_size=config.data.image_size,
        crops=True,
        eye_pixels_only=config.model.eye_pixels_only,
        append_regions=True,
        shuffle=config.data.shuffle_buffer > 0,
        shuffle_buffer=max(config.data.shuffle_buffer, 1),
        repeat=True,
        deterministic=True,
        seed=config.data.seed,
    )


def preview(system: MaskGuidedSystem, batch: dict) -> dict[str, tf.Tensor]:
    """Reconstruction (paired), a neighbour's appearance in each structure (unpaired), parse."""
    images, masks = batch["image"], batch["label_map_11"]
    rolled = {"source_image": tf.roll(images, 1, axis=0), "source_mask": tf.roll(masks, 1, axis=0)}
    palette = tf.constant(PORTRAIT_11.palette(), tf.float32) / 127.5 - 1.0  # (11, 3)
    parsed = tf.argmax(system.face_parser(images, training=False), axis=-1)
    return {
        "real": images,
        "reconstruction": system(
            {
                "source_image": images,
                "source_mask": masks,
                "target_image": images,
                "target_mask": masks,
            }
        ),
        "unpaired": system({**rolled, "target_image": images, "target_mask": masks}),
        "parsed": tf.gather(palette, parsed),
    }


SPEC = registry.register(
    registry.SystemSpec(
        name="mask_guided",
        config_class=MaskGuidedConfig,
        build=build,
        compile=compile_system,
        dataset=dataset,
        preview=preview,
        export_signatures=mask_guided_signatures,
    )
)
