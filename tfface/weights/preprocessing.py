"""ImageNet input preprocessing from tfface's [-1, 1] images, as a Keras layer."""

from __future__ import annotations

import keras
from keras import ops

CAFFE_BGR_MEANS = (103.939, 116.779, 123.68)
"""keras.applications 'caffe' mode channel means (B, G, R), for VGG16/19."""


@keras.saving.register_keras_serializable(package="tfface")
class ImageNetPreprocessing(keras.layers.Layer):
    """Maps RGB images in [-1, 1] to the input a keras.applications network expects.

    ``caffe`` (VGG16, VGG19): x * 127.5 + 127.5 in [0, 255], RGB -> BGR, minus the
    ImageNet BGR means, the same as ``keras.applications.vgg19.preprocess_input``.
    ``tf`` (InceptionV3): x / 127.5 - 1 of the [0, 255] image is the [-1, 1] image
    itself, so this is the identity.

    Args:
        mode: ``caffe`` or ``tf``.
    """

    def __init__(self, mode: str = "caffe", **kwargs) -> None:
        super().__init__(**kwargs)
        if mode not in ("caffe", "tf"):
            raise ValueError(f"unknown preprocessing mode {mode!r}; expected 'caffe' or 'tf'")
        self.mode = mode

    def call(self, images):  # (B, H, W, 3) RGB in [-1, 1]
        images = ops.cast(images, "float32")
        if self.mode == "tf":
            return images
        pixels = (images + 1.0) * 127.5  # [0, 255] RGB
        bgr = ops.flip(pixels, axis=-1)
        return bgr - ops.convert_to_tensor(CAFFE_BGR_MEANS, dtype="float32")

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}
