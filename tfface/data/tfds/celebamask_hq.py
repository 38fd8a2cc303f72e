"""TFDS builder `tfface_celebamask_hq`: CelebAMask-HQ from a manual directory, converted by the Beam job's code.

CelebAMask-HQ cannot be downloaded automatically (it needs an agreement), so
put the official files in the manual directory (default
`~/tensorflow_datasets/downloads/manual/`, or `download_config.manual_dir`):

    MANUAL_DIR/CelebA-HQ-img/<idx>.jpg
    MANUAL_DIR/CelebAMask-HQ-mask-anno/<idx // 2000>/<idx:05d>_<part>.png
    MANUAL_DIR/CelebA-HQ-to-CelebA-mapping.txt    (optional, with list_eval_partition.txt:
    MANUAL_DIR/list_eval_partition.txt             the official splits; else the hash split)

Each image is converted by `pipelines.celebamask_hq.CelebAMaskHQDoFn.convert`
(the same fusion order, resizing and rejects as `tfface data build
celebamask_hq`); rejected inputs are skipped and logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

import tensorflow_datasets as tfds

from pipelines.celebamask_hq import CelebAMaskHQDoFn, list_items, parse_mapping, parse_partition
from pipelines.common.records import RejectError
from tfface.data.splits import DEFAULT_FRACTIONS, SPLITS, assign_split

MANUAL_INSTRUCTIONS = """Put the official CelebAMask-HQ files in the manual directory:
CelebA-HQ-img/<idx>.jpg, CelebAMask-HQ-mask-anno/<idx // 2000>/<idx:05d>_<part>.png and,
for the official splits, CelebA-HQ-to-CelebA-mapping.txt and list_eval_partition.txt."""
MAPPING_FILE = "CelebA-HQ-to-CelebA-mapping.txt"
PARTITION_FILE = "list_eval_partition.txt"
SMALL_SPLIT = 64


class CelebAMaskHQConfig(tfds.core.BuilderConfig):
    """A BuilderConfig with the output image size."""

    def __init__(self, *, size: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = size


class CelebAMaskHQ(tfds.core.GeneratorBasedBuilder):
    """CelebAMask-HQ faces with 19- and 11-class label maps."""

    name = "tfface_celebamask_hq"
    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release (tfface schema version 1)."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = MANUAL_INSTRUCTIONS
    BUILDER_CONFIGS = [
        CelebAMaskHQConfig(name="256", description="256 x 256 pixels", size=256),
        CelebAMaskHQConfig(name="512", description="512 x 512 pixels", size=512),
        CelebAMaskHQConfig(
            name="64", description="64 x 64 pixels (tests, quick experiments)", size=64
        ),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        size = self.builder_config.size
        return self.dataset_info_from_configs(
            description="CelebAMask-HQ (Lee et al. 2020) converted by tfface.",
            features=tfds.features.FeaturesDict(
                {
                    "key": tfds.features.Text(),
                    "image": tfds.features.Image(shape=(size, size, 3)),
                    "label_map_19": tfds.features.Image(shape=(size, size, 1)),
                    "label_map_11": tfds.features.Image(shape=(size, size, 1)),
                }
            ),
            homepage="https://github.com/switchablenorms/CelebAMask-HQ",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        root = Path(dl_manager.manual_dir)
        mapping = partition = None
        if (root / MAPPING_FILE).exists() and (root / PARTITION_FILE).exists():
            mapping = parse_mapping((root / MAPPING_FILE).read_text())
            partition = parse_partition((root / PARTITION_FILE).read_text())
        items, _ = list_items(str(root), mapping, partition)
        converter = CelebAMaskHQDoFn(
            self.builder_config.size, fractions=DEFAULT_FRACTIONS, salt="tfface"
        )
        by_split: dict[str, list] = {split: [] for split in SPLITS}
        for item in items:
            split = item.split or assign_split(f"celebamask_hq/{item.index}", DEFAULT_FRACTIONS)
            by_split[split].append(item)
        generators = {}
        for split, chosen in by_split.items():
            if len(chosen) <= SMALL_SPLIT:
                # TFDS refuses a split without examples: convert small splits up front and drop
                # them if every input is rejected. Large splits stream.
                examples = list(self._generate_examples(converter, chosen))
                if examples:
                    generators[split] = examples
            else:
                generators[split] = self._generate_examples(converter, chosen)
        return generators

    def _generate_examples(self, converter: CelebAMaskHQDoFn, items: list):
        for item in items:
            try:
                outputs = list(converter.convert(item))
            except RejectError as error:
                logging.warning("tfface_celebamask_hq: skipping %s (%s)", item.index, error.reason)
                continue
            for record, *_ in outputs:
                yield (
                    record["key"],
                    {
                        "key": record["key"],
                        "image": record["image"],
                        "label_map_19": record["label_map_19"][..., None],
                        "label_map_11": record["label_map_11"][..., None],
                    },
                )
