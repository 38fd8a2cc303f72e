"""The ArcFace recognition network: IR-ResNet embedding backbone and the cosine class head.

Yin 2022 sec. 4.4.3 trains "ResNet18 for the backbone and ArcFace for the loss function",
the network of Deng et al. (ArcFace, CVPR 2019, sec. 3.2 / Fig. 7 of their paper):

- input stem: 3x3 conv (stride 1), BN, PReLU (the first conv keeps the resolution, as the
  aligned faces are small: 112 px);
- four stages of improved residual (IR) blocks, the first block of each with stride 2:
  BN -> 3x3 conv -> BN -> PReLU -> 3x3 conv (stride s) -> BN, plus the shortcut (identity,
  or 1x1 conv stride s + BN where the shape changes); blocks per stage 2,2,2,2 (ResNet-18),
  3,4,6,3 (ResNet-34), 3,4,14,3 (ResNet-50, the IR-50 of ArcFace);
- the "option E" output: BN -> dropout -> flatten -> fully connected (512) -> BN, then L2
  normalisation (the embedding every identity loss and metric compares by cosine).

Batch normalisation is synchronised across replicas, so N replicas compute the statistics
of the global batch, like one device. The class head (`CosineClassifier`) holds the class
weight matrix W (D, C) and gives cos(theta) = x^ . W^_j (B, C); the margin is applied by
`tfface.losses.angular_margin`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

BLOCKS_PER_DEPTH = {"resnet18": (2, 2, 2, 2), "resnet34": (3, 4, 6, 3), "resnet50": (3, 4, 14, 3)}
BN_MOMENTUM, BN_EPSILON = 0.9, 1e-5  # PyTorch's BatchNorm2d defaults, as in insightface


def batch_norm(name: str) -> keras.layers.BatchNormalization:
    """Synchronised batch normalisation (global-batch statistics under tf.distribute)."""
    return keras.layers.BatchNormalization(
        momentum=BN_MOMENTUM, epsilon=BN_EPSILON, synchronized=True, name=name
    )


def ir_block(inputs, filters: int, stride: int, name: str):
    """One improved residual block (module docstring): (B, H, W, C) -> (B, H/s, W/s, filters)."""
    residual = batch_norm(f"{name}_bn1")(inputs)
    residual = keras.layers.Conv2D(filters, 3, 1, "same", use_bias=False, name=f"{name}_conv1")(
        residual
    )
    residual = batch_norm(f"{name}_bn2")(residual)
    residual = keras.layers.PReLU(shared_axes=[1, 2], name=f"{name}_prelu")(residual)
    residual = keras.layers.Conv2D(
        filters, 3, stride, "same", use_bias=False, name=f"{name}_conv2"
    )(residual)
    residual = batch_norm(f"{name}_bn3")(residual)
    shortcut = inputs
    if stride != 1 or inputs.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(
            filters, 1, stride, use_bias=False, name=f"{name}_shortcut_conv"
        )(inputs)
        shortcut = batch_norm(f"{name}_shortcut_bn")(shortcut)
    return keras.layers.Add(name=f"{name}_add")([shortcut, residual])


def build_ir_resnet(
    image_size: int,
    blocks: tuple[int, ...],
    filters: tuple[int, ...],
    stem_filters: int = 64,
    embedding_size: int = 512,
    dropout: float = 0.0,
    name: str = "embedding",
) -> keras.Model:
    """The embedding network: float32 images (B, S, S, 3) in [-1, 1] -> L2-normalised
    embeddings (B, embedding_size), float32.

    Args:
        image_size: S; it must be divisible by 2^len(blocks) (every stage halves it).
        blocks: IR blocks per stage (`BLOCKS_PER_DEPTH`).
        filters: output channels per stage (ArcFace: 64, 128, 256, 512).
        stem_filters: channels of the input convolution (64).
        embedding_size: D (512).
        dropout: rate of the dropout before the fully connected layer (ArcFace on CASIA: 0.4).
    """
    if len(blocks) != len(filters) or not blocks:
        raise ValueError(f"blocks {blocks} and filters {filters} need one entry per stage")
    if image_size % 2 ** len(blocks):
        raise ValueError(
            f"image size {image_size} must be divisible by 2^{len(blocks)} (one halving per stage)"
        )
    images = keras.Input((image_size, image_size, 3), name="image")
    features = keras.layers.Conv2D(stem_filters, 3, 1, "same", use_bias=False, name="stem_conv")(
        images
    )
    features = batch_norm("stem_bn")(features)
    features = keras.layers.PReLU(shared_axes=[1, 2], name="stem_prelu")(features)
    for stage, (count, width) in enumerate(zip(blocks, filters, strict=True)):
        for block in range(count):
            stride = 2 if block == 0 else 1
            features = ir_block(features, width, stride, f"stage{stage + 1}_block{block + 1}")
    features = batch_norm("output_bn")(features)  # (B, S/16, S/16, filters[-1])
    features = keras.layers.Dropout(dropout, name="output_dropout")(features)
    features = keras.layers.Flatten(name="output_flatten")(features)
    features = keras.layers.Dense(embedding_size, name="output_fc")(features)
    features = batch_norm("features_bn")(features)  # (B, D), the ArcFace "features"
    embeddings = keras.layers.UnitNormalization(name="l2_normalise")(features)
    return keras.Model(images, embeddings, name=name)


@keras.saving.register_keras_serializable(package="tfface")
class CosineClassifier(keras.layers.Layer):
    """cos(theta) of embeddings with each class weight: (B, D) -> (B, C) in [-1, 1].

    Args:
        classes: C, the number of identities.
    """

    def __init__(self, classes: int, **kwargs) -> None:
        super().__init__(**kwargs)
        if classes < 1:
            raise ValueError(f"the class head needs at least one class, got {classes}")
        self.classes = int(classes)

    def build(self, input_shape) -> None:
        self.class_weights = self.add_weight(
            shape=(int(input_shape[-1]), self.classes),
            initializer=keras.initializers.RandomNormal(stddev=0.01),
            name="class_weights",
        )

    def call(self, embeddings: tf.Tensor) -> tf.Tensor:
        embeddings = tf.math.l2_normalize(tf.cast(embeddings, tf.float32), axis=-1)
        weights = tf.math.l2_normalize(self.class_weights, axis=0)  # (D, C), unit columns
        return tf.matmul(embeddings, weights)

    def get_config(self) -> dict:
        return {**super().get_config(), "classes": self.classes}


def build_cosine_head(embedding_size: int, classes: int, name: str = "head") -> keras.Model:
    """The class head: embeddings (B, D) -> cos(theta) (B, C), the ArcFace class weights W."""
    embeddings = keras.Input((embedding_size,), name="embedding")
    return keras.Model(embeddings, CosineClassifier(classes, name="cosine")(embeddings), name=name)
