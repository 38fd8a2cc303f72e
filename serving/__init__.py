"""Serving runtime: the local model server (gRPC + REST) and its clients.

- `serving.server`: `ModelServer` / `run_server` (`tfface serve`).
- `serving.client`: `GrpcClient`, `RestClient` (`tfface predict`).

Exports are written by the library (`tfface/export/writer.py`, from the signatures in
`tfface/signatures/`); nothing here imports tfface, so the server runs on a SavedModel
alone, like TF Serving. Submodules are imported on demand (this package imports nothing
heavy by itself).
"""
