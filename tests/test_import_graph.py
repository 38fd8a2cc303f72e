"""Imports point one way: no cycles, and no import from a lower layer into a higher one.

The graph is read statically (`ast`) from every module of `tfface/`, `serving/` and
`pipelines/`, function-level (lazy) imports included: a lazy import is still a dependency.
An edge goes to the deepest module the import names (`from tfface.data import labels`
-> `tfface.data.labels`; `from tfface.config import get_preset` -> `tfface.config`).

Imports under `if TYPE_CHECKING:` are skipped: they never run.

Modules are grouped into UNITS (the package or sub-package a module belongs to: the
longest prefix in `LAYERS`), and units into layers, lowest first (the packages of the
README's layout; DESIGN's order of the pipeline: data -> systems -> export -> serving):

    0  tfface (__version__), tfface.config   frozen dataclasses, YAML, presets; no TensorFlow
    1  tfface.ops, tfface.geometry,          pure TF / NumPy: warping and grids, cameras and
       tfface.signatures                     rasterizer; the export contract (serving
                                             signatures as data, input checks, image codec)
    2  tfface.data                           the TFRecord schema, label tables, splits, reader
    3  tfface.layers                         Keras layers
    4  tfface.networks, tfface.losses        network builders; per-example losses
    5  tfface.weights                        pretrained feature networks (perceptual presets, seeded random weights)
    6  tfface.synth, tfface.face3d           SynthFaces (draws with the data's label tables);
                                             3D morphable models and their renderer
    7  tfface.training, tfface.visualize     strategy, EMA, schedules, phases, callbacks; grids
    8  tfface.systems                        one keras.Model per research system + registry (a
                                             registry entry carries its export signatures,
                                             built from layer 1's contract)
    9  tfface.runs, tfface.export,           the train command (writes a run); the export
       tfface.data.tfds                      writer (run -> SavedModel in TF Serving layout);
                                             the TFDS builders (SynthFaces and data layouts)
    10 tfface.metrics                        metrics and `tfface evaluate` (reads exports, and
                                             runs through a temporary export)
    11 serving, pipelines,                   the model server and clients (need no tfface);
       a system's studies                    the Beam jobs and Kubeflow components; the
                                             modules of a system package that train, export
                                             and score its runs (`tfface.systems.<name>.
                                             evaluation`, `.sweep`, `.augmentation_study`)
    12 tfface.cli, tfface.__main__           the only place that wires library, pipelines and
                                             serving together

An import may go down or stay in its layer, never up; two units of one layer must not
import each other both ways (the cycle checks), and `serving` and `pipelines` not at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tfface", "serving", "pipelines")

LAYERS: dict[str, int] = {
    "tfface": 0,
    "tfface.config": 0,
    "tfface.ops": 1,
    "tfface.geometry": 1,
    "tfface.signatures": 1,
    "tfface.data": 2,
    "tfface.layers": 3,
    "tfface.networks": 4,
    "tfface.losses": 4,
    "tfface.weights": 5,
    "tfface.synth": 6,
    "tfface.face3d": 6,
    "tfface.training": 7,
    "tfface.visualize": 7,
    "tfface.systems": 8,
    "tfface.runs": 9,
    "tfface.export": 9,
    "tfface.data.tfds": 9,
    "tfface.metrics": 10,
    # A system's studies: evaluations and sweeps that train, export and score its runs.
    "tfface.systems.deocclusion.evaluation": 11,
    "tfface.systems.face_recognition.augmentation_study": 11,
    "tfface.systems.multimodal.evaluation": 11,
    "tfface.systems.multimodal.sweep": 11,
    "tfface.systems.multimodal.preservation": 11,
    "tfface.systems.uv_completion.evaluation": 11,
    "serving": 11,
    "pipelines": 11,
    "tfface.cli": 12,
    "tfface.__main__": 12,
}
"""Unit (package prefix) -> layer; a module belongs to the longest prefix listed."""

KNOWN_UPWARD_IMPORTS = {
    ("tfface.data.tfds.celebamask_hq", "pipelines.celebamask_hq"),
    ("tfface.data.tfds.celebamask_hq", "pipelines.common.records"),
}
"""Left to fix: the CelebAMask-HQ TFDS builder converts with the Beam job's DoFn (layout
listing, image reading, part-mask fusion, rejects). Moving that code into `tfface.data`
takes `pipelines/common/image_io.py` with it; until then these two edges are allowed, and
the test fails when one of them disappears, so the list cannot go stale."""

NO_IMPORTS_BETWEEN = {frozenset({"serving", "pipelines"})}
"""Units of one layer that must not import each other at all."""


def module_name(path: Path) -> str:
    """tfface/data/labels.py -> tfface.data.labels; tfface/data/__init__.py -> tfface.data."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    """Every module of the three packages: name -> file."""
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Every module name `path` imports, at any depth of the file (lazy imports too), except
    under `if TYPE_CHECKING:`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in node.body
        for inner in ast.walk(child)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the three packages it imports (deepest existing module)."""
    modules = source_modules()

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(name, path):
            if imported.split(".")[0] in PACKAGES:
                resolved = resolve(imported)
                if resolved and resolved != name:
                    targets.add(resolved)
        graph[name] = targets
    return graph


def unit_of(module: str) -> str:
    """The longest `LAYERS` prefix of `module`."""
    candidates = [unit for unit in LAYERS if module == unit or module.startswith(unit + ".")]
    assert candidates, f"{module} belongs to no layer: add its package to LAYERS"
    return max(candidates, key=len)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(following) == 1:
                return path[path.index(following) :] + [following]
            if not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


def unit_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Unit -> the other units it imports."""
    units: dict[str, set[str]] = {unit_of(module): set() for module in graph}
    for module, targets in graph.items():
        for target in targets:
            if unit_of(target) != unit_of(module):
                units[unit_of(module)].add(unit_of(target))
    return units


def test_every_module_belongs_to_a_layer() -> None:
    for module in source_modules():
        unit_of(module)


def test_no_import_cycle_between_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_import_cycle_between_packages() -> None:
    cycle = find_cycle(unit_graph(import_graph()))
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle)


def test_no_upward_import_between_layers() -> None:
    upward = []
    graph = import_graph()
    for module, target in sorted(KNOWN_UPWARD_IMPORTS):
        assert target in graph[module], f"{module} no longer imports {target}: drop it above"
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            source_unit, target_unit = unit_of(module), unit_of(target)
            if (module, target) in KNOWN_UPWARD_IMPORTS:
                continue
            if LAYERS[target_unit] > LAYERS[source_unit]:
                upward.append(
                    f"{module} (layer {LAYERS[source_unit]}, {source_unit}) imports {target} "
                    f"(layer {LAYERS[target_unit]}, {target_unit})"
                )
            if frozenset({source_unit, target_unit}) in NO_IMPORTS_BETWEEN:
                upward.append(
                    f"{module} imports {target}: {source_unit} and {target_unit} are apart"
                )
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_the_graph_sees_lazy_imports() -> None:
    """A function-level import is an edge like any other (the checks above rely on it)."""
    graph = import_graph()
    assert "tfface.export.writer" in graph["tfface.cli.export"]  # imported inside run()
