"""Tiny SynthFaces datasets and tiny TF Serving exports for the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import tensorflow as tf


class BlurExport(tf.Module):
    """A stand-in generator: 3 x 3 box blur of the uint8 input, plus optional extra outputs."""

    def __init__(self, extra_outputs: bool = False) -> None:
        super().__init__()
        self.extra_outputs = extra_outputs

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="image")])
    def serve(self, image: tf.Tensor) -> dict[str, tf.Tensor]:
        pixels = tf.cast(image, tf.float32)
        kernel = tf.ones([3, 3, 3, 1]) / 9.0
        blurred = tf.nn.depthwise_conv2d(pixels, kernel, [1, 1, 1, 1], "SAME")
        outputs = {"image": tf.cast(tf.round(tf.clip_by_value(blurred, 0.0, 255.0)), tf.uint8)}
        if self.extra_outputs:
            batch = tf.shape(image)[0]
            outputs["label_map"] = tf.zeros_like(image[..., 0])  # "all background" parser
            outputs["pose"] = tf.zeros([batch, 3])
        return outputs


class PooledEmbedding(tf.Module):
    """A stand-in face-embedding export: 4 x 4 pooled pixels as the 'embedding'."""

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="image")])
    def serve(self, image: tf.Tensor) -> dict[str, tf.Tensor]:
        pooled = tf.nn.avg_pool2d(tf.cast(image, tf.float32) / 255.0, 8, 8, "VALID")
        return {"embedding": tf.reshape(pooled, [tf.shape(image)[0], -1])}


class LatentExport(tf.Module):
    """A stand-in multimodal generator: the input shifted in colour by a latent code."""

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, None, 3], tf.uint8, name="image"),
            tf.TensorSpec([None, 4], tf.float32, name="latent"),
        ]
    )
    def serve(self, image: tf.Tensor, latent: tf.Tensor) -> dict[str, tf.Tensor]:
        shifted = tf.cast(image, tf.float32) + 40.0 * latent[:, None, None, :3]
        return {"image": tf.cast(tf.round(tf.clip_by_value(shifted, 0.0, 255.0)), tf.uint8)}


class GrayFillExport(tf.Module):
    """A stand-in inpainter: holes (mask 255) filled with gray, the rest kept; plus landmarks."""

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, None, 3], tf.uint8, name="image"),
            tf.TensorSpec([None, None, None, 1], tf.uint8, name="mask"),
        ]
    )
    def serve(self, image: tf.Tensor, mask: tf.Tensor) -> dict[str, tf.Tensor]:
        filled = tf.where(mask > 127, tf.constant(128, tf.uint8), image)
        landmarks = tf.zeros([tf.shape(image)[0], 68, 3])  # a useless landmark detector
        return {"image": filled, "landmarks": landmarks}


def save_export(module: tf.Module, base: Path, name: str, version: int = 1) -> Path:
    """Saves ``module.serve`` as ``serving_default`` in TF Serving layout; returns <base>/<name>."""
    tf.saved_model.save(
        module, str(base / name / str(version)), signatures={"serving_default": module.serve}
    )
    return base / name


@pytest.fixture(scope="session")
def synthfaces_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 identities x yaws 0 / 30 at 32 px, all in 'train' (6 examples)."""
    from pipelines import synthfaces

    output = tmp_path_factory.mktemp("synthfaces")
    synthfaces.main(
        [
            "--output",
            str(output),
            "--identities",
            "3",
            "--size",
            "32",
            "--uv-size",
            "32",
            "--yaws",
            "0",
            "30",
            "--splits",
            "train=1,validation=0,test=0",
        ]
    )
    return output


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("exports")
    return {
        "blur": save_export(BlurExport(), base, "blur"),
        "blur_extra": save_export(BlurExport(extra_outputs=True), base, "blur_extra"),
        "embedding": save_export(PooledEmbedding(), base, "embedding"),
        "latent": save_export(LatentExport(), base, "latent"),
        "gray_fill": save_export(GrayFillExport(), base, "gray_fill"),
    }


@pytest.fixture(scope="session")
def tensorboard_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run's logs/: train and validation 'loss' scalars over 5 steps, plus an image summary."""
    directory = tmp_path_factory.mktemp("run") / "logs"
    for folder, offset in (("train", 0.0), ("validation", 0.5)):
        writer = tf.summary.create_file_writer(str(directory / folder))
        with writer.as_default():
            for step in range(5):
                tf.summary.scalar("loss", 1.0 / (step + 1) + offset, step=step)
                tf.summary.image("sample", tf.zeros([1, 4, 4, 3]), step=step)  # not a scalar
        writer.close()
    return directory
