"""`toy`: a tiny two-network GAN system (8 px, random tensors) that tests the GANSystem machinery.

Defining `ToySystem` registers it as "toy" (a `tiny` preset; its data are random tensors, so
no dataset folder is needed); `register_toy()` registers it again after a test replaced
the name.
"""

from __future__ import annotations

import dataclasses

import keras
import tensorflow as tf

from tfface.config import AdamConfig, DataConfig, ModelConfig, SystemConfig, TrainConfig, positive
from tfface.systems import registry
from tfface.systems.base import GANSystem
from tfface.systems.updates import Update

SIZE = 8


def tiny_networks(size: int = SIZE, seed: int = 0) -> dict[str, keras.Model]:
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


def toy_batches(count: int, batch_size: int, size: int = SIZE, seed: int = 0) -> tf.data.Dataset:
    generator = tf.random.Generator.from_seed(seed)
    images = generator.uniform([count * batch_size, size, size, 3], -1.0, 1.0)
    targets = tf.roll(images, shift=1, axis=2) * 0.5
    return tf.data.Dataset.from_tensor_slices({"image": images, "target_image": targets}).batch(
        batch_size, drop_remainder=True
    )


@dataclasses.dataclass(frozen=True)
class ToyModelConfig(ModelConfig):
    learning_rate: float = positive(1e-2)


@dataclasses.dataclass(frozen=True)
class ToyConfig(SystemConfig):
    model: ToyModelConfig = dataclasses.field(default_factory=ToyModelConfig)


def tiny_config() -> ToyConfig:
    return ToyConfig(
        system="toy",
        preset="tiny",
        data=DataConfig(image_size=SIZE),
        train=TrainConfig(steps=4, batch_size=4, log_every=2, checkpoint_every=2),
    )


def toy_dataset(config: ToyConfig, data_dir: str, split: str = "train") -> tf.data.Dataset:
    return toy_batches(64, config.train.batch_size, config.data.image_size).repeat()


def toy_export_signatures(system: GANSystem) -> dict:
    from toy_export import toy_signatures

    return toy_signatures(system)


class ToySystem(GANSystem):
    """pix2pix-like: G maps image -> target; D is a patch discriminator; LSGAN + L1."""

    NAME = "toy"
    SUMMARY = "a tiny pix2pix-like system of the tests"
    CONFIG = ToyConfig
    PRESETS = {"tiny": tiny_config}
    NETWORKS = ("generator", "discriminator")
    INFERENCE_NETWORKS = ("generator",)
    OPTIMIZER_GROUPS = {"generator": ("generator",), "discriminator": ("discriminator",)}
    LOSS_NAMES = ("generator_loss", "discriminator_loss", "l1")
    UPDATES = (
        Update("generator", "generator_objective", "generator_loss"),
        Update("discriminator", "discriminator_objective", "discriminator_loss"),
    )
    DATA = staticmethod(toy_dataset)
    EXPORTS = staticmethod(toy_export_signatures)

    @classmethod
    def build_networks(cls, model_config: ToyModelConfig, seed: int = 0) -> dict:
        return tiny_networks(model_config.image_size, seed)

    @classmethod
    def optimizer_configs(cls, config: ToyConfig) -> dict[str, AdamConfig]:
        adam = AdamConfig(config.model.learning_rate, beta_1=0.5)
        return {"generator": adam, "discriminator": adam}

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def generator_objective(self, batch, carried, training):
        fake = self.generator(batch["image"], training=training)
        fake_score = self.discriminator(fake, training=training)
        adversarial = tf.reduce_mean(tf.square(fake_score - 1.0), axis=[1, 2, 3])
        l1 = tf.reduce_mean(tf.abs(fake - batch["target_image"]), axis=[1, 2, 3])
        return {"generator_loss": adversarial + 10.0 * l1, "l1": l1, "fake": fake}

    def discriminator_objective(self, batch, carried, training):
        real_score = self.discriminator(batch["target_image"], training=training)
        fake_score = self.discriminator(carried["fake"], training=training)
        return {
            "discriminator_loss": 0.5
            * (
                tf.reduce_mean(tf.square(real_score - 1.0), axis=[1, 2, 3])
                + tf.reduce_mean(tf.square(fake_score), axis=[1, 2, 3])
            )
        }

    def preview(self, batch):
        return {"fake": self(batch["image"])}


def toy_model_config(ema_decay: float | None = None, size: int = SIZE) -> ToyModelConfig:
    """The model section of a toy system of `size` px (EMA over the generator if set)."""
    return ToyModelConfig(image_size=size, ema_decay=ema_decay)


def make_toy(system_class: type = ToySystem, ema_decay: float | None = None, seed: int = 0):
    """An uncompiled toy system (or subclass) with fresh tiny networks."""
    return system_class(tiny_networks(seed=seed), toy_model_config(ema_decay), seed=seed)


def register_toy() -> None:
    """Registers `ToySystem` as 'toy' again (a test may have replaced the name)."""
    registry.register(ToySystem)
