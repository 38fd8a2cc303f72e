"""The tfface morphable model format: a versioned `.npz` file, its loader and validator.

A 3D morphable model (3DMM; Blanz & Vetter, as used through Deng et al. 2019 in
Yin 2022 sections 4.3 and 5.3.3) describes a face as

    shape   = mean_shape   + identity_basis @ alpha + expression_basis @ beta   (V, 3)
    texture = mean_texture + texture_basis @ delta                              (V, 3)

over one fixed triangle mesh. The file format (FORMAT_NAME, FORMAT_VERSION) holds:

    format              str   "tfface-morphable-model"
    version             int   1
    mean_shape          float32 (V, 3)      model units; x right, y up, z towards the camera
    identity_basis      float32 (V, 3, K_id)  one column per coefficient (scaled by its std.)
    expression_basis    float32 (V, 3, K_exp)
    mean_texture        float32 (V, 3)      RGB albedo in [0, 1] (sRGB for SynthFaces)
    texture_basis       float32 (V, 3, K_tex)
    triangles           int32 (F, 3)        vertex indices, counter-clockwise seen from outside
    uv_coords           float32 (V, 2)      (u, v) in [0, 1], v grows downwards, mirror-symmetric
                                            about u = 0.5 (FlipLR of the UV map is the mirror)
    landmark_indices    int32 (68,)         iBUG-68 vertex of every landmark
    region_labels       uint8 (V,)          PORTRAIT_11 class of every vertex
    symmetry            int32 (V,)          the mirrored vertex of every vertex (an involution)
    camera_model        str   "perspective" | "orthographic"
    camera_focal        float focal length (perspective) or scale (orthographic), in image
                              sides per model unit: pixels = camera_focal * image_size
    camera_distance     float perspective only: the camera sits at z = camera_distance
    name                str   free text (where the model came from)

Everything but `name` is required; `validate` says which field is wrong and why.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

MORPHABLE_MODEL_FILE = "morphable_model.npz"
"""The file a dataset's morphable model is written to, next to its records (the data jobs'
`--coefficients`; the systems read it from `data.data_dir`)."""
FORMAT_NAME = "tfface-morphable-model"
FORMAT_VERSION = 1
NUM_LANDMARKS = 68
NUM_REGION_CLASSES = 11  # PORTRAIT_11
CAMERA_MODELS = ("perspective", "orthographic")


class MorphableModelError(ValueError):
    """A morphable model file or array that does not follow the format."""


@dataclass(frozen=True)
class MorphableModel:
    """A linear 3D morphable model over one triangle mesh (see the module docstring).

    Attributes: the format's fields, as NumPy arrays of the documented dtypes and shapes.
    """

    mean_shape: np.ndarray
    identity_basis: np.ndarray
    expression_basis: np.ndarray
    mean_texture: np.ndarray
    texture_basis: np.ndarray
    triangles: np.ndarray
    uv_coords: np.ndarray
    landmark_indices: np.ndarray
    region_labels: np.ndarray
    symmetry: np.ndarray
    camera_model: str = "perspective"
    camera_focal: float = 4.53
    camera_distance: float = 10.0
    name: str = ""

    def __post_init__(self) -> None:
        validate(self)

    @property
    def num_vertices(self) -> int:
        return int(self.mean_shape.shape[0])

    @property
    def num_identity(self) -> int:
        return int(self.identity_basis.shape[2])

    @property
    def num_expression(self) -> int:
        return int(self.expression_basis.shape[2])

    @property
    def num_texture(self) -> int:
        return int(self.texture_basis.shape[2])

    def shape(self, identity: np.ndarray, expression: np.ndarray) -> np.ndarray:
        """float32 (V, 3) vertices for identity (K_id,) and expression (K_exp,) coefficients."""
        return (
            self.mean_shape
            + self.identity_basis @ np.asarray(identity, np.float32)
            + self.expression_basis @ np.asarray(expression, np.float32)
        ).astype(np.float32)

    def texture(self, texture: np.ndarray) -> np.ndarray:
        """float32 (V, 3) albedo in [0, 1] (unclipped) for texture coefficients (K_tex,)."""
        return (self.mean_texture + self.texture_basis @ np.asarray(texture, np.float32)).astype(
            np.float32
        )


_ARRAY_FIELDS = {
    "mean_shape": np.float32,
    "identity_basis": np.float32,
    "expression_basis": np.float32,
    "mean_texture": np.float32,
    "texture_basis": np.float32,
    "triangles": np.int32,
    "uv_coords": np.float32,
    "landmark_indices": np.int32,
    "region_labels": np.uint8,
    "symmetry": np.int32,
}


def _fail(field: str, message: str) -> None:
    raise MorphableModelError(f"morphable model field {field!r}: {message}")


def validate(model: MorphableModel) -> None:
    """Checks every field's dtype, shape, range and consistency; raises MorphableModelError."""
    for name, dtype in _ARRAY_FIELDS.items():
        value = getattr(model, name)
        if not isinstance(value, np.ndarray):
            _fail(name, f"must be a NumPy array, got {type(value).__name__}")
        if value.dtype != dtype:
            _fail(name, f"must be {np.dtype(dtype).name}, got {value.dtype}")
    mean_shape = model.mean_shape
    if mean_shape.ndim != 2 or mean_shape.shape[1] != 3 or mean_shape.shape[0] < 3:
        _fail("mean_shape", f"must have shape (V, 3) with V >= 3, got {mean_shape.shape}")
    vertices = mean_shape.shape[0]
    for name in ("identity_basis", "expression_basis", "texture_basis"):
        basis = getattr(model, name)
        if basis.ndim != 3 or basis.shape[:2] != (vertices, 3):
            _fail(name, f"must have shape ({vertices}, 3, K), got {basis.shape}")
    expected = {
        "mean_texture": (vertices, 3),
        "uv_coords": (vertices, 2),
        "landmark_indices": (NUM_LANDMARKS,),
        "region_labels": (vertices,),
        "symmetry": (vertices,),
    }
    for name, shape in expected.items():
        if getattr(model, name).shape != shape:
            _fail(name, f"must have shape {shape}, got {getattr(model, name).shape}")
    for name in _ARRAY_FIELDS:
        value = getattr(model, name)
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            _fail(name, "contains NaN or infinite values")
    triangles = model.triangles
    if triangles.ndim != 2 or triangles.shape[1] != 3 or len(triangles) == 0:
        _fail("triangles", f"must have shape (F, 3) with F >= 1, got {triangles.shape}")
    for name in ("triangles", "landmark_indices", "symmetry"):
        value = getattr(model, name)
        if value.min() < 0 or value.max() >= vertices:
            _fail(
                name,
                f"vertex indices must be in [0, {vertices}), got [{value.min()}, {value.max()}]",
            )
    if np.any(model.symmetry[model.symmetry] != np.arange(vertices)):
        _fail("symmetry", "must be an involution (the mirror of a vertex's mirror is the vertex)")
    if model.uv_coords.min() < 0.0 or model.uv_coords.max() > 1.0:
        _fail("uv_coords", "must lie in [0, 1]")
    if model.region_labels.max() >= NUM_REGION_CLASSES:
        _fail("region_labels", f"must be PORTRAIT_11 classes (< {NUM_REGION_CLASSES})")
    if model.camera_model not in CAMERA_MODELS:
        _fail("camera_model", f"must be one of {CAMERA_MODELS}, got {model.camera_model!r}")
    if not np.isfinite(model.camera_focal) or model.camera_focal <= 0:
        _fail("camera_focal", f"must be positive, got {model.camera_focal}")
    if model.camera_model == "perspective" and not model.camera_distance > 0:
        _fail("camera_distance", f"must be positive, got {model.camera_distance}")


def save_morphable_model(model: MorphableModel, path: str | Path) -> Path:
    """Writes `model` as a compressed `.npz` in the tfface format; returns the path."""
    path = Path(path)
    arrays = {field.name: getattr(model, field.name) for field in fields(model)}
    np.savez_compressed(
        path,
        format=np.array(FORMAT_NAME),
        version=np.array(FORMAT_VERSION, dtype=np.int32),
        **{key: np.asarray(value) for key, value in arrays.items()},
    )
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def load_morphable_model(path: str | Path) -> MorphableModel:
    """Reads and validates a tfface morphable model `.npz` (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no morphable model file at {path}")
    with np.load(path, allow_pickle=False) as data:
        contents = {key: data[key] for key in data.files}
    if "format" not in contents or str(contents["format"]) != FORMAT_NAME:
        raise MorphableModelError(
            f"{path} is not a {FORMAT_NAME} file (no 'format' field saying so); "
            "Basel Face Model files load with tfface.face3d.load_deng_bfm"
        )
    version = int(contents.get("version", -1))
    if version != FORMAT_VERSION:
        raise MorphableModelError(
            f"{path} has format version {version}; this tfface reads version {FORMAT_VERSION}"
        )
    missing = [name for name in _ARRAY_FIELDS if name not in contents]
    missing += [
        name for name in ("camera_model", "camera_focal", "camera_distance") if name not in contents
    ]
    if missing:
        raise MorphableModelError(f"{path} lacks the required fields {missing}")
    return MorphableModel(
        **{name: contents[name] for name in _ARRAY_FIELDS},
        camera_model=str(contents["camera_model"]),
        camera_focal=float(contents["camera_focal"]),
        camera_distance=float(contents["camera_distance"]),
        name=str(contents.get("name", "")),
    )
