"""Pretrained feature networks (VGG16, VGG19, InceptionV3) and where their weights come from.

See ``tfface.weights.resolution`` for the weight-file order and file names.
"""

from tfface.weights.feature_extractors import (
    VGG_CONVOLUTIONS_PER_BLOCK,
    inception_v3_features,
    vgg16_features,
    vgg19_features,
    vgg_features,
    vgg_features_for_preset,
    vgg_keras_layer_name,
    vgg_layer_names,
)
from tfface.weights.preprocessing import ImageNetPreprocessing
from tfface.weights.resolution import (
    WEIGHT_FILES,
    WEIGHTS_DIR_VARIABLE,
    WeightFile,
    WeightsNotFoundError,
    keras_cache_dir,
    resolve_weights,
    weight_file,
    weights_dir,
)

__all__ = [
    "VGG_CONVOLUTIONS_PER_BLOCK",
    "WEIGHTS_DIR_VARIABLE",
    "WEIGHT_FILES",
    "ImageNetPreprocessing",
    "WeightFile",
    "WeightsNotFoundError",
    "inception_v3_features",
    "keras_cache_dir",
    "resolve_weights",
    "vgg16_features",
    "vgg19_features",
    "vgg_features",
    "vgg_features_for_preset",
    "vgg_keras_layer_name",
    "vgg_layer_names",
    "weight_file",
    "weights_dir",
]
