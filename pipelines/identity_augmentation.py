"""Beam job `identity_augmentation`: an identity dataset plus faces synthesized by a generator.

    tfface data build identity_augmentation --input data/casia --generator exports/warp_rotation \\
        --signature rotate_to_yaw --value target_yaw=15,30,45,60 --ratio 0.5 \\
        --max-abs-yaw 30 --output data/casia_augmented

The recognition experiment of Yin 2022 (sec. 4.4.3, Table 4.1: "CASIA + augUV"): "for
each image with less than 30 degrees yaw angle, we randomly increase its yaw angle from 15
to 60 degrees and get a synthesized image", and the recognition network is trained on the
original images plus the synthesized ones as extra samples of the same identities.

Every record of --input (all splits, or --only-splits) is copied unchanged (same key, same
split); a fraction --ratio of the eligible records (|yaw| <= --max-abs-yaw when given;
chosen by a hash of the key and --seed) gets --copies synthesized images: the exported
generator's signature --signature (any system's export: warp_rotation `rotate_to_yaw`,
pose_editing, uv_completion re-rendering, deocclusion...) is called on the record's image
and, for each further input of the signature, a value drawn (seeded by the key) from that
input's --value list. A copy is a record with key '<key>/synthesized<c>', the same
`identity`, `domain` and split, `pose` with yaw = the drawn `target_yaw` when the generator
takes one, and metadata 'synthesized' = 1; the features of the source image that would not
hold for the new image (label maps, landmarks, masks) are left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn

SOURCE = "identity_augmentation"
CHUNK = 16
"""Records per generator call (a worker reads its input shard in chunks of CHUNK)."""
KEPT_FEATURES = ("identity", "domain", "pose")
"""Features a synthesized copy inherits from its source record."""
ENCODING_FEATURES = ("image_format", "height", "width", "channels", "split")
"""Written again by the encoder (the job's --image-format) and by the split assignment."""


def unit_draw(key: str, seed: int, purpose: str) -> float:
    """A number in [0, 1) fixed by (key, seed, purpose): selections do not depend on workers."""
    digest = hashlib.sha256(f"{seed}/{purpose}/{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def parse_values(texts: Sequence[str]) -> dict[str, list[list[float]]]:
    """['target_yaw=15,30', 'code=0.1:0.2,0.3:0.4'] -> {'target_yaw': [[15], [30]], 'code':
    [[0.1, 0.2], [0.3, 0.4]]}: per input, the choices (a choice of a vector input is ':'-joined)."""
    values: dict[str, list[list[float]]] = {}
    for text in texts:
        name, separator, choices = text.partition("=")
        if not separator or not name or not choices:
            raise ValueError(f"--value must look like NAME=V1,V2,..., got {text!r}")
        try:
            values[name] = [
                [float(part) for part in choice.split(":")] for choice in choices.split(",")
            ]
        except ValueError as error:
            raise ValueError(f"--value {text!r}: the values must be numbers") from error
    return values


class IdentityAugmentationDoFn(SourceDoFn):
    """Copies the records of an input shard and adds the generator's synthesized copies."""

    def __init__(
        self,
        generator: str,
        signature: str,
        values: dict[str, list[list[float]]],
        ratio: float,
        copies: int,
        max_abs_yaw: float | None,
        seed: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.generator = generator
        self.signature = signature
        self.values = values
        self.ratio = ratio
        self.copies = copies
        self.max_abs_yaw = max_abs_yaw
        self.seed = seed
        self.function = None

    def load(self) -> None:
        import tensorflow as tf

        from tfface.metrics.sources import find_export_version

        version = find_export_version(self.generator) or self.generator
        self.model = tf.saved_model.load(str(version))
        self.function = self.model.signatures[self.signature]

    def key(self, item: str) -> str:
        return f"{SOURCE}/shard/{item.rsplit('/', 1)[-1]}"

    def eligible(self, record: dict[str, Any]) -> bool:
        """Whether the record may get synthesized copies (yaw limit, then --ratio)."""
        if self.max_abs_yaw is not None:
            if "pose" not in record or abs(float(record["pose"][0])) > self.max_abs_yaw:
                return False
        return unit_draw(record["key"], self.seed, "select") < self.ratio

    def synthesize(self, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One generator call for every copy of `sources`: the copies' records."""
        import numpy as np
        import tensorflow as tf

        specs = self.function.structured_input_signature[1]
        image_spec = specs["image"]
        jobs = [(record, copy) for record in sources for copy in range(self.copies)]
        images = tf.constant(np.stack([record["image"] for record, _ in jobs]))
        size = image_spec.shape[1]
        stored = images.shape[1:3]
        if size is not None and size != stored[0]:
            images = tf.cast(
                tf.round(tf.image.resize(images, (size, size))), tf.uint8
            )  # the generator's side
        inputs = {"image": images}
        drawn: dict[str, list[list[float]]] = {}
        for name, spec in specs.items():
            if name == "image":
                continue
            choices = self.values[name]
            drawn[name] = [
                choices[int(unit_draw(f"{record['key']}/{copy}", self.seed, name) * len(choices))]
                for record, copy in jobs
            ]
            array = np.asarray(drawn[name], spec.dtype.as_numpy_dtype)
            inputs[name] = tf.constant(array.reshape([len(jobs), *spec.shape[1:]]))
        outputs = self.function(**inputs)
        if "image" not in outputs or outputs["image"].dtype != tf.uint8:
            raise ValueError(
                f"generator signature {self.signature!r} must return a uint8 'image', "
                f"returns {sorted(outputs)}"
            )
        generated = outputs["image"]
        if generated.shape[1:3] != stored:
            generated = tf.cast(tf.round(tf.image.resize(generated, stored)), tf.uint8)
        copies = []
        for index, (record, copy) in enumerate(jobs):
            synthesized = {
                "key": f"{record['key']}/synthesized{copy}",
                "image": generated[index].numpy(),
                "metadata_names": ["synthesized"],
                "metadata_values": [1.0],
                **{name: record[name] for name in KEPT_FEATURES if name in record},
            }
            if "target_yaw" in drawn:
                pose = np.asarray(record.get("pose", np.zeros(3)), np.float32).copy()
                pose[0] = drawn["target_yaw"][index][0]
                synthesized["pose"] = pose
            copies.append(synthesized)
        return copies

    def convert(self, item: str) -> Iterator[tuple[dict[str, Any], str, str]]:
        """The records of shard `item`, read in chunks of CHUNK (one generator call each):
        a worker holds one shard's records, never the dataset."""
        import tensorflow as tf

        for chunk in tf.data.TFRecordDataset(item).batch(CHUNK):
            yield from self.convert_chunk(list(chunk.numpy()))

    def convert_chunk(self, item: list[bytes]) -> Iterator[tuple[dict[str, Any], str, str]]:
        from tfface.data.features import decode_example_numpy

        records = [decode_example_numpy(serialized) for serialized in item]
        chosen = [record for record in records if self.eligible(record)]
        for record in records:
            if "identity" not in record or record["identity"] < 0:
                raise ValueError(f"record {record['key']} has no identity label")
        for record in records:
            kept = {name: value for name, value in record.items() if name not in ENCODING_FEATURES}
            yield kept, record["key"], record.get("split", "train")
        if chosen:
            splits = {record["key"]: record.get("split", "train") for record in chosen}
            for synthesized in self.synthesize(chosen):
                source_key = synthesized["key"].rsplit("/synthesized", 1)[0]
                yield synthesized, synthesized["key"], splits[source_key]


def input_shards(data_dir: str, splits: Sequence[str] | None) -> list[str]:
    """The TFRecord shards of `data_dir` (every split, or `splits`): the job's input items
    (each worker reads its shards itself, so the launcher never holds the records)."""
    import tensorflow as tf

    patterns = [f"{data_dir}/{split}-*.tfrecord" for split in (splits or ["*"])]
    files = sorted({path for pattern in patterns for path in tf.io.gfile.glob(pattern)})
    if not files:
        raise FileNotFoundError(f"no TFRecord files match {patterns}")
    return files


def check_generator(path: str, signature: str, values: dict[str, list[list[float]]]) -> None:
    """Raises ValueError unless the export's signature takes a uint8 image and gets a value
    list for each of its other inputs."""
    import tensorflow as tf

    from tfface.metrics.sources import find_export_version

    version = find_export_version(path)
    if version is None:
        raise ValueError(f"--generator {path} is not an export (<base>/<name>[/<version>])")
    loaded = tf.saved_model.load(str(version))
    if signature not in loaded.signatures:
        raise ValueError(
            f"the generator has no signature {signature!r}; it has {sorted(loaded.signatures)}"
        )
    specs = loaded.signatures[signature].structured_input_signature[1]
    if "image" not in specs or specs["image"].dtype != tf.uint8:
        raise ValueError(f"signature {signature!r} must take a uint8 'image' input")
    missing = sorted(set(specs) - {"image"} - set(values))
    unused = sorted(set(values) - set(specs))
    if missing or unused:
        raise ValueError(
            f"signature {signature!r} takes {sorted(specs)}: give --value NAME=V1,V2 for "
            f"{missing or 'each'}; unknown: {unused or 'none'}"
        )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(
        SOURCE, "Identity dataset + faces synthesized by an exported generator -> TFRecords."
    )
    parser.add_argument("--input", required=True, help="identity dataset (tfface data build)")
    parser.add_argument("--generator", required=True, help="generator export dir")
    parser.add_argument("--signature", default="serving_default", help="its signature")
    parser.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="choices of a further signature input (one drawn per copy), e.g. "
        "target_yaw=15,30,45,60; a vector choice is ':'-joined",
    )
    parser.add_argument(
        "--ratio", type=float, default=1.0, help="fraction of eligible records with copies"
    )
    parser.add_argument("--copies", type=int, default=1, help="synthesized copies per record")
    parser.add_argument(
        "--max-abs-yaw",
        type=float,
        help="only records with |yaw| <= this get copies (Yin 2022: 30)",
    )
    parser.add_argument("--only-splits", nargs="+", help="read these splits only (default all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the selection and values")
    arguments, options = parse_job_arguments(parser, argv)
    if not 0.0 <= arguments.ratio <= 1.0:
        parser.error(f"--ratio must lie in [0, 1], got {arguments.ratio}")
    if arguments.copies < 1:
        parser.error(f"--copies must be >= 1, got {arguments.copies}")
    try:
        values = parse_values(arguments.value)
        check_generator(arguments.generator, arguments.signature, values)
        items = input_shards(arguments.input, arguments.only_splits)
    except (ValueError, FileNotFoundError) as error:
        parser.error(str(error))
    dofn = IdentityAugmentationDoFn(
        arguments.generator,
        arguments.signature,
        values,
        arguments.ratio,
        arguments.copies,
        arguments.max_abs_yaw,
        arguments.seed,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    extra = {
        "augmented_from": arguments.input,
        "generator": arguments.generator,
        "signature": arguments.signature,
        "values": values,
    }
    return run_job(SOURCE, items, dofn, arguments, options, extra)


if __name__ == "__main__":
    run_as_script("pipelines.identity_augmentation")
