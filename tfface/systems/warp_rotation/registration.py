"""Building, compiling and feeding warp_rotation for `tfface train warp_rotation`.

Data: pose pairs, the records of `pipelines/synthfaces.py --pair-with-frontal
--shared-scene` or `pipelines/multipie.py` ('image', 'target_image', 'pose', 'target_pose';
the targets are frontal). `--shared-scene` gives both views of a SynthFaces pair one lighting
and background, as in Multi-PIE, where all views of a shot share them (Sevastopolskiy 2019 sec. 4.1.1);
without it the target's background and lighting are unpredictable from the input. A seeded fraction `model.reverse_fraction` of the pairs is turned around (input
= the frontal view, target = the other view, target yaw = its yaw), so frontal pairs train
rotation to any yaw.
"""

from __future__ import annotations

import os
import sys

import keras
import tensorflow as tf

from tfface.data.reader import make_dataset
from tfface.networks import (
    build_rotation_discriminator,
    build_rotation_gap_discriminator,
    build_rotation_inpainter,
    build_rotation_warp_regressor,
)
from tfface.systems import registry
from tfface.systems.splits import split_pattern
from tfface.systems.warp_rotation.config import WarpRotationConfig, WarpRotationModelConfig
from tfface.systems.warp_rotation.export import warp_rotation_signatures
from tfface.systems.warp_rotation.identity import load_identity_network
from tfface.systems.warp_rotation.system import GENERATOR_NETWORKS, WarpRotationSystem
from tfface.systems.warp_rotation.warping import paint_holes

PAIR_FEATURES = ("image", "target_image", "pose", "target_pose")
IMAGE_CHANNELS = 3
GRID_CHANNELS = 2
MASK_CHANNELS = 1


def build_networks(model: WarpRotationModelConfig, seed: int = 0) -> dict[str, keras.Model]:
    """f_omega, g_phi, d_psi (and h_xi with the gap discriminator), built from `model`."""
    if model.image_size is None:
        raise ValueError(
            "build_networks needs model.image_size (WarpRotationConfig.resolved_model())"
        )
    keras.utils.set_random_seed(seed)
    size = model.image_size
    condition = GRID_CHANNELS + (1 if model.target_yaw_input else 0)
    networks = {
        "warp_field_regressor": build_rotation_warp_regressor(
            size,
            IMAGE_CHANNELS + condition,
            model.regressor_base_filters,
            model.regressor_blocks,
            model.regressor_convolutions,
            model.regressor_max_filters,
            model.regressor_norm,
        ),
        "inpainter": build_rotation_inpainter(
            size,
            IMAGE_CHANNELS + MASK_CHANNELS + condition,
            model.inpainter_base_filters,
            model.inpainter_downsamplings,
            model.inpainter_dilations,
            model.inpainter_max_filters,
        ),
        "discriminator": build_rotation_discriminator(
            size,
            model.discriminator_base_filters,
            model.discriminator_layers,
            model.discriminator_max_filters,
        ),
    }
    if model.gap_discriminator:
        networks["gap_discriminator"] = build_rotation_gap_discriminator(
            size, model.gap_base_filters, model.gap_levels, model.gap_max_filters
        )
    return networks


def build(config: WarpRotationConfig) -> WarpRotationSystem:
    """The system with freshly built networks and the configured identity network.

    The identity network only serves the training loss: when its file is missing (a run
    exported or evaluated on another machine) the system is built without it and
    `compile_system` refuses to train.
    """
    model = config.resolved_model()
    identity_network = None
    if model.identity_model and not os.path.exists(model.identity_model):
        print(
            f"warp_rotation: identity model {model.identity_model} not found; built without it "
            "(inference and export do not need it, training does)",
            file=sys.stderr,
        )
    else:
        identity_network = load_identity_network(model.identity_model)
    return WarpRotationSystem(
        build_networks(model, seed=config.train.seed),
        model,
        identity_network=identity_network,
        ema_networks=GENERATOR_NETWORKS if model.ema_decay is not None else (),
        ema_decay=model.ema_decay,
        seed=config.train.seed,
    )


def compile_system(system: WarpRotationSystem, config: WarpRotationConfig) -> None:
    """Adam per network group (thesis sec. 4.1.2): the generator at train.learning_rate,
    the discriminators at model.discriminator_learning_rate."""
    model = config.model
    if model.identity_model and system.identity_network is None:
        load_identity_network(model.identity_model)  # raises FileNotFoundError with the fix

    def adam(rate: float) -> keras.optimizers.Adam:
        return keras.optimizers.Adam(rate, beta_1=model.beta_1, beta_2=model.beta_2)

    optimizers = {
        "generator": adam(config.train.learning_rate),
        "discriminator": adam(model.discriminator_learning_rate),
    }
    if model.gap_discriminator:
        optimizers["gap_discriminator"] = adam(model.discriminator_learning_rate)
    system.compile(optimizers=optimizers, jit_compile=config.train.jit_compile)


def orient_pairs(batch: dict[str, tf.Tensor], reverse: tf.Tensor) -> dict[str, tf.Tensor]:
    """Training inputs from pose pairs, the examples where `reverse` is True turned around.

    Args:
        batch: 'image', 'target_image' float32 (B, S, S, 3); 'pose', 'target_pose' (B, 3).
        reverse: bool (B,).

    Returns:
        'image', 'target_image' (B, S, S, 3), 'target_yaw' and 'source_yaw' float32 (B,).
    """
    flip = reverse[:, tf.newaxis, tf.newaxis, tf.newaxis]
    return {
        "image": tf.where(flip, batch["target_image"], batch["image"]),
        "target_image": tf.where(flip, batch["image"], batch["target_image"]),
        "target_yaw": tf.where(reverse, batch["pose"][:, 0], batch["target_pose"][:, 0]),
        "source_yaw": tf.where(reverse, batch["target_pose"][:, 0], batch["pose"][:, 0]),
    }


def check_pairs(pattern: str) -> None:
    """Raises ValueError unless the dataset's records are pose pairs."""
    from tfface.data.example_files import first_example, present_features

    missing = set(PAIR_FEATURES) - present_features(first_example(pattern))
    if missing:
        raise ValueError(
            f"warp_rotation trains on pose pairs, but {pattern} lacks {sorted(missing)}: build "
            "SynthFaces with `tfface data build synthfaces ... --pair-with-frontal "
            "--shared-scene` or use the "
            "Multi-PIE job (pipelines/multipie.py)"
        )


def dataset(config: WarpRotationConfig, data_dir: str, split: str = "train") -> tf.data.Dataset:
    """Repeated GLOBAL batches of oriented pose pairs from `split` (train, validation or test).

    The direction of each pair is drawn with a stateless generator seeded by (data.seed,
    batch index): the same every run, on any number of replicas.
    """
    pattern = split_pattern(data_dir, split)
    check_pairs(pattern)
    pairs = make_dataset(
        pattern,
        features=PAIR_FEATURES,
        batch_size=config.train.batch_size,
        image_size=config.data.image_size,
        shuffle=config.data.shuffle_buffer > 0,
        shuffle_buffer=max(config.data.shuffle_buffer, 1),
        repeat=True,
        deterministic=True,
        seed=config.data.seed,
    )
    fraction = config.model.reverse_fraction
    seed = config.data.seed

    def orient(index: tf.Tensor, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        draws = tf.random.stateless_uniform(
            tf.shape(batch["pose"])[:1], tf.stack([tf.cast(seed, tf.int64), index])
        )  # (B,) in [0, 1)
        return orient_pairs(batch, draws < fraction)

    return pairs.enumerate().map(orient, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def preview(system: WarpRotationSystem, batch: dict) -> dict[str, tf.Tensor]:
    """Input, warped (holes black), rotated and target images for TensorBoard grids."""
    result = system.rotate_graph(batch["image"], batch.get("target_yaw"))
    return {
        "input": batch["image"],
        "warped": paint_holes(result["warped"], result["known"]),
        "rotated": result["inpainted"],
        "target": batch["target_image"],
    }


SPEC = registry.register(
    registry.SystemSpec(
        name="warp_rotation",
        config_class=WarpRotationConfig,
        build=build,
        compile=compile_system,
        dataset=dataset,
        preview=preview,
        export_signatures=warp_rotation_signatures,
    )
)
