"""A tiny two-network GAN system used to test the GANSystem machinery."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfface.systems.base import GANSystem


def tiny_networks(size: int = 8, seed: int = 0) -> dict[str, keras.Model]:
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential(
        [
            keras.Input((size, size, 3)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(3, 3, padding="same", activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((size, size, 3)),
            keras.layers.Conv2D(4, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2D(1, 3, padding="same"),
        ],
        name="discriminator",
    )
    return {"generator": generator, "discriminator": discriminator}


class ToySystem(GANSystem):
    """pix2pix-like: G maps image -> target; D is a patch discriminator; LSGAN + L1."""

    LOSS_NAMES = ("generator_loss", "discriminator_loss", "l1")
    OPTIMIZER_GROUPS = {"generator": ("generator",), "discriminator": ("discriminator",)}

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, batch):
        source, target = batch["image"], batch["target_image"]
        with tf.GradientTape() as tape:
            fake = self.generator(source, training=True)
            fake_score = self.discriminator(fake, training=True)
            adversarial = tf.reduce_mean(tf.square(fake_score - 1.0), axis=[1, 2, 3])
            l1 = tf.reduce_mean(tf.abs(fake - target), axis=[1, 2, 3])
            generator_loss = adversarial + 10.0 * l1
            total = self.reduce(generator_loss)
        self.update(tape, total, "generator")
        with tf.GradientTape() as tape:
            real_score = self.discriminator(target, training=True)
            fake_score = self.discriminator(tf.stop_gradient(fake), training=True)
            discriminator_loss = 0.5 * (
                tf.reduce_mean(tf.square(real_score - 1.0), axis=[1, 2, 3])
                + tf.reduce_mean(tf.square(fake_score), axis=[1, 2, 3])
            )
            total = self.reduce(discriminator_loss)
        self.update(tape, total, "discriminator")
        self.record(generator_loss=generator_loss, discriminator_loss=discriminator_loss, l1=l1)
        return self.finish_step()


def toy_batches(count: int, batch_size: int, size: int = 8, seed: int = 0) -> tf.data.Dataset:
    generator = tf.random.Generator.from_seed(seed)
    images = generator.uniform([count * batch_size, size, size, 3], -1.0, 1.0)
    targets = tf.roll(images, shift=1, axis=2) * 0.5
    return tf.data.Dataset.from_tensor_slices({"image": images, "target_image": targets}).batch(
        batch_size, drop_remainder=True
    )


# -- registration for the training command ------------------------------------------------
import dataclasses  # noqa: E402

from tfface.config import ExperimentConfig, TrainConfig, register_preset  # noqa: E402
from tfface.systems import registry  # noqa: E402


@dataclasses.dataclass(frozen=True)
class ToyModelConfig:
    learning_rate: float = 1e-2
    image_size: int = 8


@dataclasses.dataclass(frozen=True)
class ToyConfig(ExperimentConfig):
    model: ToyModelConfig = dataclasses.field(default_factory=ToyModelConfig)


def _tiny_config() -> ToyConfig:
    return ToyConfig(
        system="toy",
        preset="tiny",
        train=TrainConfig(steps=4, batch_size=4, log_every=2, checkpoint_every=2),
    )


def _build(config: ToyConfig) -> ToySystem:
    return ToySystem(
        tiny_networks(config.model.image_size, seed=config.train.seed), seed=config.train.seed
    )


def _compile(system: ToySystem, config: ToyConfig) -> None:
    rate = config.model.learning_rate
    system.compile(
        optimizers={
            "generator": keras.optimizers.Adam(rate, beta_1=0.5),
            "discriminator": keras.optimizers.Adam(rate, beta_1=0.5),
        }
    )


def _dataset(config: ToyConfig, data_dir: str) -> tf.data.Dataset:
    return toy_batches(64, config.train.batch_size, config.model.image_size).repeat()


def register_toy() -> None:
    """Registers the toy system as 'toy' with a 'tiny' preset (idempotent)."""
    from tfface.config.presets import _PRESETS

    if "tiny" not in _PRESETS.get("toy", {}):
        register_preset("toy", "tiny")(_tiny_config)
    registry.register(
        registry.SystemSpec(
            "toy",
            ToyConfig,
            _build,
            _compile,
            _dataset,
            lambda system, batch: {"fake": system(batch["image"])},
        )
    )
