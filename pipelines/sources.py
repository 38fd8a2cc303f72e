"""The Beam jobs of `tfface data build SOURCE`: source name -> the job's module.

Each module has `main(argv)`; it is imported when its source is built (Beam and the
detector load only then). The command line (`tfface/cli/data.py`) and the Kubeflow
example generation read this table.
"""

from __future__ import annotations

SOURCES = {
    "synthfaces": "pipelines.synthfaces",
    "celebamask_hq": "pipelines.celebamask_hq",
    "image_folder": "pipelines.image_folder",
    "paired_folders": "pipelines.paired_folders",
    "multipie": "pipelines.multipie",
    "wild_faces": "pipelines.wild_faces",
    "masks": "pipelines.masks",
    "occlusion": "pipelines.occlusion",
    "identity_augmentation": "pipelines.identity_augmentation",
    "uv_fits": "pipelines.uv_fits",
}
