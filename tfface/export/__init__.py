"""The export writer: a trained system -> a TF Serving model version (`tfface export`).

- `writer.py`: `export_system`, `export_run` (version folders, staging, verification).
- `saved_model_writer.py`: traces the signatures (`tfface/signatures/`) into a SavedModel.
- `warmup.py`, `model_card.py`, `model_config.py`: the files beside it.
- `run_loading.py`: restores a `tfface train` run directory.

Submodules are imported on demand (this package imports nothing by itself).
"""
