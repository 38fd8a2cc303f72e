"""The frozen identity feature extractor of the identity losses: v of L_identity
(Sevastopolskiy 2019, sec. 3.3) in warp_rotation, the identity loss of face_reconstruction
(Yin 2022 sec. 5.3.3).

Sevastopolskiy 2019 uses the first fully-connected layer of Light-CNN-29 (MS-Celeb-1M, K = 256),
with fixed weights. tfface takes any face-embedding network: a `face_recognition` backbone
saved as a `.keras` file, or a SavedModel directory, mapping float32 images in [-1, 1]
(B, H, W, 3) to embeddings (B, D). Its weights belong to no optimizer group (frozen) and
to no checkpoint or export of the system. Without a network the identity loss is off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import tensorflow as tf

EmbeddingNetwork = Callable[[tf.Tensor], tf.Tensor]


class FrozenEmbedding:
    """A frozen embedding network behind a plain callable (Keras does not track it).

    Args:
        network: float images in [-1, 1] (B, S', S', 3) -> embeddings (B, D).
        input_size: the side S' the network takes (images are resized bilinearly to it), or
            None to pass images as they are.
        source: where the network came from (for messages).
        module: the loaded Keras model or SavedModel behind `network` (for inspection, e.g.
            of its weights; it is never trained).
    """

    def __init__(
        self,
        network: EmbeddingNetwork,
        input_size: int | None,
        source: str,
        module: object | None = None,
    ) -> None:
        self.network = network
        self.input_size = input_size
        self.source = source
        self.module = module

    def __call__(self, images: tf.Tensor) -> tf.Tensor:
        """float32 (B, S, S, 3) in [-1, 1] -> float32 (B, D); differentiable w.r.t. the images."""
        if self.input_size is not None and images.shape[1] != self.input_size:
            images = tf.image.resize(images, (self.input_size, self.input_size))
        embeddings = self.network(images)
        if isinstance(embeddings, dict):
            if "embedding" not in embeddings and len(embeddings) != 1:
                raise ValueError(
                    f"identity model {self.source} returns {sorted(embeddings)}; expected one "
                    "output or one named 'embedding'"
                )
            embeddings = embeddings.get("embedding", next(iter(embeddings.values())))
        return tf.cast(tf.reshape(embeddings, (tf.shape(images)[0], -1)), tf.float32)


def _static_square_side(shape: object) -> int | None:
    """S of a (B, S, S, 3) input shape, else None."""
    if isinstance(shape, (list, tuple)) and len(shape) == 4 and shape[1] and shape[1] == shape[2]:
        return int(shape[1])
    return None


def _float_signature(
    loaded: object, path: Path
) -> tuple[Callable[[tf.Tensor], object], int | None]:
    """The first signature of a SavedModel with one float image input (gradients need floats),
    and the static side S of its (B, S, S, 3) input (None: any size)."""
    integer_signatures = []
    for name, function in getattr(loaded, "signatures", {}).items():
        inputs = function.structured_input_signature[1]
        if len(inputs) != 1:
            continue
        ((input_name, spec),) = inputs.items()
        if spec.dtype.is_floating:
            side = _static_square_side(tuple(spec.shape)) if spec.shape.rank is not None else None
            return (
                lambda images, function=function, key=input_name: function(**{key: images})
            ), side
        integer_signatures.append(name)
    if callable(loaded):
        return loaded, None
    hint = (
        f" (signatures {integer_signatures} take integer images: a serving export has no gradient)"
        if integer_signatures
        else ""
    )
    raise ValueError(
        f"identity model {path}: no signature takes float images{hint}; save the embedding "
        "network as a .keras file or a SavedModel with a float32 image input in [-1, 1]"
    )


def latest_version(location: Path) -> Path:
    """A SavedModel directory as given, or the highest numbered version inside a served model
    folder (`tfface export --base B --name N` writes B/N/<version>)."""
    if (location / "saved_model.pb").is_file():
        return location
    numbered = [entry for entry in location.iterdir() if entry.name.isdigit()]
    versions = sorted((int(e.name), e) for e in numbered if (e / "saved_model.pb").is_file())
    return versions[-1][1] if versions else location


def load_identity_network(path: str) -> FrozenEmbedding | None:
    """The frozen embedding network at `path` (a .keras / .h5 file, a SavedModel directory, or
    a served model folder `<base>/<name>` whose latest version is taken, e.g. a
    `face_recognition` export: its float `embed` signature is the one used).

    "" gives None: no identity loss.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: a SavedModel without a float image input.
    """
    if not path:
        return None
    location = Path(path)
    if not location.exists():
        raise FileNotFoundError(
            f"model.identity_model {path} does not exist (a .keras file or a SavedModel dir; "
            "set it to '' to train without the identity loss)"
        )
    if location.is_file():
        network = keras.saving.load_model(str(location), compile=False)
        return FrozenEmbedding(
            lambda images: network(images, training=False),
            _static_square_side(tuple(network.input_shape)),
            str(location),
            module=network,
        )
    location = latest_version(location)
    loaded = tf.saved_model.load(str(location))
    function, side = _float_signature(loaded, location)
    return FrozenEmbedding(function, side, str(location), module=loaded)
