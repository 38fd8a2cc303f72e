"""`face_recognition`: IR-ResNet + ArcFace, the recognition network of Yin 2022 sec. 4.4.3.

An embedding network f (IR-ResNet-18/34/50, `tfface.networks.ir_resnet`) maps an aligned
face to an L2-normalised embedding x (B, D); a class head holds the weights W (D, C) of
the C training identities and gives cos(theta_j) = x . W_j / |W_j|. Training minimises the
softmax cross-entropy of the margin logits (`tfface.losses.angular_margin`; ArcFace, Deng
et al. CVPR 2019 Eq. 3):

    L = -log( e^{s cos(theta_y + m)} / (e^{s cos(theta_y + m)} + sum_{j != y} e^{s cos theta_j}) )

Only the embedding network is exported (`embed`, `export.py`): the identity model of every
other system (`model.identity_model`, `tfface evaluate --identity-model`).

    system = tfface.systems.registry.build("face_recognition", config)
    embeddings = system.embed(images)  # float32 (B, S, S, 3) in [-1, 1] -> (B, D), unit norm
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.losses.angular_margin import margin_cross_entropy, margin_logits
from tfface.networks.ir_resnet import build_cosine_head, build_ir_resnet
from tfface.systems.base import GANSystem
from tfface.systems.face_recognition.config import (
    FaceRecognitionConfig,
    FaceRecognitionModelConfig,
    paper,
    tiny,
)
from tfface.systems.face_recognition.data import check_labels, identity_batches, identity_count
from tfface.systems.face_recognition.export import face_recognition_signatures
from tfface.systems.updates import Update


def resolved_identities(config: FaceRecognitionConfig) -> int:
    """model.identities, or the count of the training data's labels when it is 0."""
    data_dir, identities = config.data.data_dir, config.model.identities
    if not identities and not data_dir:
        raise ValueError(
            "face_recognition: model.identities is 0 (from the data) but data.data_dir is "
            "empty; set data.data_dir to the training data or model.identities to its count"
        )
    return identities or identity_count(data_dir)


class FaceRecognitionSystem(GANSystem):
    """The recognition network (module docstring).

    `call(images)`: float32 (B, S, S, 3) in [-1, 1] -> L2-normalised embeddings (B, D).

    Networks (`GANSystem` arguments): {'embedding': images -> (B, D), 'head': (B, D) ->
    cos(theta) (B, C)}; the model config has `identities` = C set (`create` reads it from
    the data).
    """

    NAME = "face_recognition"
    SUMMARY = "IR-ResNet + ArcFace face embedding (Deng et al. 2019, Yin 2022 sec. 4.4.3)"
    CONFIG = FaceRecognitionConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    DATA = staticmethod(identity_batches)
    SYNTHFACES = ("--yaws", "-30", "0", "30", "--expressions", "neutral", "smile")
    NETWORKS = ("embedding", "head")
    INFERENCE_NETWORKS = ("embedding",)
    OPTIMIZER_GROUPS = {"recognition": ("embedding", "head")}
    UPDATES = (Update("recognition", "classification_objective", "classification_loss"),)
    LOSS_NAMES = ("classification_loss", "training_accuracy")
    OBJECTIVE = "classification_loss"
    EXPORTS = staticmethod(face_recognition_signatures)

    @property
    def classes(self) -> int:
        """C, the identities of the class head."""
        return int(self.head.output_shape[-1])

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def build_networks(
        cls, model_config: FaceRecognitionModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """The embedding network and the class head of `model_config.identities` classes."""
        model = model_config
        if not model.identities:
            raise ValueError(
                "face_recognition: model.identities is 0; build the system with "
                "FaceRecognitionSystem.create(config) (it counts the data's identities) or set it"
            )
        keras.utils.set_random_seed(seed)
        embedding = build_ir_resnet(
            model.image_size,
            model.stage_blocks,
            model.filters,
            model.stem_filters,
            model.embedding_size,
            model.dropout,
            name="embedding",
        )
        return {
            "embedding": embedding,
            "head": build_cosine_head(model.embedding_size, model.identities),
        }

    @classmethod
    def create(cls, config: FaceRecognitionConfig, **extras) -> FaceRecognitionSystem:
        """The system of `config`, its head sized by `resolved_identities(config)`."""
        model_config = dataclasses.replace(
            config.resolved_model(), identities=resolved_identities(config)
        )
        seed = config.train.seed
        return cls(cls.build_networks(model_config, seed), model_config, seed=seed, **extras)

    @classmethod
    def optimizer_configs(cls, config: FaceRecognitionConfig) -> dict[str, AdamConfig]:
        """Adam at train.learning_rate with its default betas (our choice, module config.py)."""
        return {"recognition": AdamConfig(config.train.learning_rate)}

    # -- the forward pass -------------------------------------------------------------------
    def embed(self, images: tf.Tensor, training: bool = False) -> tf.Tensor:
        """float32 (B, S, S, 3) in [-1, 1] -> float32 (B, D), unit L2 norm."""
        return self.embedding(tf.cast(images, tf.float32), training=training)

    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """`embed(inputs)`."""
        return self.embed(inputs, training=training)

    def logits(self, images: tf.Tensor, labels: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The margin logits (B, C) of `images` for their `labels` (B,)."""
        cosine = self.head(self.embed(images, training), training=training)
        return margin_logits(cosine, labels, **self.margin_options)

    @property
    def margin_options(self) -> dict:
        """The margin arguments of `tfface.losses.angular_margin` from the model config."""
        model = self.model_config
        return {
            "form": model.margin_form,
            "scale": model.scale,
            "margin": model.margin,
            "easy_margin": model.easy_margin,
        }

    # -- the objective ----------------------------------------------------------------------
    def classification_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """The margin softmax cross-entropy (B,) and whether the plain cosine ranks the label
        first (B,) in {0, 1}.

        Args:
            batch: 'image' float32 (B, S, S, 3) in [-1, 1], 'identity' int (B,) in [0, C).
        """
        labels = check_labels(batch["identity"], self.classes)  # (B,)
        cosine = self.head(self.embed(batch["image"], training), training=training)  # (B, C)
        loss = margin_cross_entropy(cosine, labels, **self.margin_options)
        predicted = tf.argmax(cosine, axis=-1, output_type=tf.int32)
        correct = tf.cast(tf.equal(predicted, labels), tf.float32)
        return {"classification_loss": loss, "training_accuracy": tf.stop_gradient(correct)}

    def preview(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """The input faces and the faces most similar to each in the batch (other than itself)."""
        images = batch["image"]
        embeddings = self.embed(images)
        similarity = tf.matmul(embeddings, embeddings, transpose_b=True)  # (B, B)
        similarity -= 3.0 * tf.eye(tf.shape(images)[0])  # never itself
        nearest = tf.argmax(similarity, axis=-1)
        return {"input": images, "nearest_in_batch": tf.gather(images, nearest)}
