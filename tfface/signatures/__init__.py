"""The export contract: serving signatures as data, below the systems that declare them.

- `signature.py`: `ExportSignature`, `ExportInput` (what a system exports).
- `inputs.py`: the standard uint8 / label-map / latent inputs and their in-graph normalisation.
- `input_checks.py`: the one in-graph check of every input (dtype, rank, size, label range).
- `bytes_signatures.py`, `image_codec.py`: the encoded-image (`*_bytes`) siblings.
- `evaluation_target.py`: what `tfface evaluate` compares a signature's output with.
- `image_to_image.py`: the spec of `call(image) -> image` systems.

Nothing here imports the systems, the export writer or the server; submodules are
imported on demand.
"""
