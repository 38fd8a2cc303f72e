"""What a dataset's shards hold: the first example and the schema features it carries."""

from __future__ import annotations

import tensorflow as tf

from tfface.data.features import FEATURES


def first_example(pattern: str) -> tf.train.Example:
    """The first example of the shards (to see which features the dataset has)."""
    files = sorted(tf.io.gfile.glob(pattern))
    for record in tf.data.TFRecordDataset(files).take(1):
        return tf.train.Example.FromString(record.numpy())
    raise ValueError(f"the shards {pattern} hold no examples")


def present_features(example: tf.train.Example) -> set[str]:
    """Schema features present (non-empty) in an example."""
    present = set()
    for name, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        values = getattr(feature, kind).value if kind else []
        if name in FEATURES and len(values) and not (kind == "bytes_list" and values[0] == b""):
            present.add(name)
    return present
