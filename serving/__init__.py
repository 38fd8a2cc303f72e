"""Serving: export to the TF Serving layout, the local model server (gRPC + REST), clients.

- `serving.signatures`: export specs per system (`register_export`), the extension point.
- `serving.normalization`, `serving.image_to_image`: standard inputs and a generic spec.
- `serving.export`: `export_run` / `export_system` (`tfface export`).
- `serving.server`: `ModelServer` / `run_server` (`tfface serve`).
- `serving.client`: `GrpcClient`, `RestClient` (`tfface predict`).

Submodules are imported on demand (this package imports nothing heavy by itself).
"""
