"""Beam job `synthfaces`: identities x poses x expressions x domains x occluders -> TFRecords.

One input item per identity, so each worker paints an identity's textures once
and renders all its views. Splits are by identity (a person never appears in
two splits). Options beyond the SynthConfig flags:
`--with-uv-texture` stores the full UV texture in every example and
`--pair-with-frontal` adds the frontal view of the same identity, domain and
expression as `target_image` / `target_label_map_11` / `target_pose` /
`target_landmarks` (pose editing and face rotation pairs). Build pairs with `--shared-scene` (SynthConfig
`scene_per_pose: false`): then both views of a pair have the same lighting and
background, as the views of a multi-camera capture (Multi-PIE) do; without it the
frontal target gets its own lighting and background, which no warp of the input
can predict and which then dominate image losses such as a warp's L1.
`--coefficients` stores every example's exact 3DMM coefficients (`coefficients`, the
layout of `tfface.face3d.coefficients`) and writes the morphable model they belong to,
`SynthFaces.morphable_model()` of the dataset's seed and sizes, as
`OUTPUT/morphable_model.npz` (`tfface.face3d.load_morphable_model`): the model travels
with the dataset (the face_reconstruction system reads it from there).
`--pair-domains SOURCE TARGET` renders every view (and occluder) in domain SOURCE as
`image` and the same identity, pose, expression, lighting and occluder in domain TARGET as
`target_image` (`target_label_map_11`, `target_pose` likewise): domain-translation pairs
such as the colour-coded `mask_texture` -> `nir` pairs of the multimodal system (Bergqvist
2020). It replaces --domains and cannot be combined with --pair-with-frontal.
`--uv-completion` (needs `--coefficients`) also stores `uv_blend`, the pseudo-complete UV
map UV_bl of Yin 2022 section 4.3.2.1 (two Poisson blends of the visible texture into the
3DMM texture, `tfface.systems.uv_completion.uv_targets`), at `--uv-size`: the
uv_completion system's data.

    tfface data build synthfaces --output DIR --identities 100 --size 128 \\
        --yaws -60 -30 0 30 60 --domains rgb nir [--occluders hand hat] [Beam options]
    tfface data build synthfaces --output PAIRS --identities 200 --size 128 \\
        --yaws -60 -30 0 30 60 --pair-with-frontal --shared-scene
    tfface data build synthfaces --output FITS --identities 200 --size 128 \\
        --yaws -30 0 30 --occluders hand medical_mask --coefficients
    tfface data build synthfaces --output NIR_PAIRS --identities 200 --size 128 \\
        --yaws -30 0 30 --pair-domains mask_texture nir
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipelines.common.job import job_parser, parse_job_arguments, run_as_script, run_job
from pipelines.common.processing import SourceDoFn
from tfface.config import SynthConfig, to_dict
from tfface.config.common import DOMAINS
from tfface.data.features import encode_uv
from tfface.face3d.morphable_model import MORPHABLE_MODEL_FILE
from tfface.synth.arguments import add_synth_arguments, synth_config_from_arguments
from tfface.synth.writer import iterate_views

SOURCE = "synthfaces"


class SynthFacesDoFn(SourceDoFn):
    """Renders every view of one identity (the input item)."""

    def __init__(
        self,
        config: SynthConfig,
        with_uv_texture: bool,
        pair_with_frontal: bool,
        coefficients: bool = False,
        uv_completion: bool = False,
        pair_domains: tuple[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if pair_domains is not None and pair_with_frontal:
            raise ValueError("--pair-domains and --pair-with-frontal both write target_image")
        self.pair_domains = None if pair_domains is None else tuple(pair_domains)
        self.config = config
        self.with_uv_texture = with_uv_texture
        self.pair_with_frontal = pair_with_frontal
        self.coefficients = coefficients
        self.uv_completion = uv_completion
        self.generator = None
        self.blend_targets = None

    def load(self) -> None:
        from tfface.synth import SynthFaces

        self.generator = SynthFaces.from_config(self.config)
        if self.uv_completion:
            from tfface.systems.uv_completion.uv_targets import BlendTargets

            self.blend_targets = BlendTargets(self.generator.morphable_model(), self.config.uv_size)

    def key(self, item: int) -> str:
        return f"{SOURCE}/seed{self.config.seed}/identity{item:05d}"

    def convert(self, item: int) -> Iterator[tuple[dict[str, Any], str]]:
        if self.generator is None:
            self.load()
        config = self.config
        single = SynthConfig(**{**to_dict(config), "first_identity": item, "identities": 1})
        domains = config.domains if self.pair_domains is None else self.pair_domains[:1]
        for view in iterate_views(single):
            for domain in domains:
                frontal = None
                if self.pair_with_frontal:
                    frontal = self.generator.sample(
                        item, 0.0, 0.0, 0.0, domain, None, view.expression
                    )
                for occluder in (None, *config.occluders):
                    sample = self.generator.sample(
                        item,
                        view.yaw,
                        view.pitch,
                        view.roll,
                        domain,
                        occluder,
                        view.expression,
                        with_coefficients=self.coefficients,
                    )
                    record = {
                        "key": f"{self.key(item)}/{view.name}/{domain}/{occluder or 'none'}",
                        "image": sample["image"],
                        "label_map_19": sample["label_map_19"],
                        "label_map_11": sample["label_map_11"],
                        "face_mask": sample["face_mask"],
                        "landmarks": sample["landmarks"],
                        "pose": sample["pose"],
                        "identity": item,
                        "domain": domain,
                        "occluder": occluder or "",
                        "uv_coords": encode_uv(sample["uv_coords"], sample["visibility"]),
                    }
                    if occluder is not None:
                        record["occlusion_mask"] = sample["occlusion_mask"]
                        record["image_unoccluded"] = sample["image_unoccluded"]
                    if self.coefficients:
                        record["coefficients"] = sample["coefficients"]
                    if self.blend_targets is not None:
                        record["uv_blend"] = self.blend_targets(sample)
                    if self.with_uv_texture:
                        record["uv_texture"] = sample["uv_texture"]
                    if self.pair_domains is not None:
                        frontal = self.generator.sample(
                            item,
                            view.yaw,
                            view.pitch,
                            view.roll,
                            self.pair_domains[1],
                            occluder,
                            view.expression,
                        )
                        record["key"] += f"/to_{self.pair_domains[1]}"
                    if frontal is not None:
                        record["target_image"] = frontal["image"]
                        record["target_label_map_11"] = frontal["label_map_11"]
                        record["target_pose"] = frontal["pose"]
                        record["target_landmarks"] = frontal["landmarks"]
                    yield record, f"identity{item}"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = job_parser(SOURCE, "Render SynthFaces into sharded TFRecords.")
    add_synth_arguments(parser)
    parser.add_argument(
        "--with-uv-texture", action="store_true", help="store the UV texture in every example"
    )
    parser.add_argument(
        "--pair-with-frontal",
        action="store_true",
        help="add the frontal view as the target (use with --shared-scene, so that both "
        "views of a pair have the same lighting and background)",
    )
    parser.add_argument(
        "--coefficients",
        action="store_true",
        help=f"store each example's 3DMM coefficients and write the morphable model as "
        f"OUTPUT/{MORPHABLE_MODEL_FILE}",
    )
    parser.add_argument(
        "--uv-completion",
        action="store_true",
        help="also store uv_blend, the pseudo-complete UV map UV_bl (needs --coefficients)",
    )
    parser.add_argument(
        "--pair-domains",
        nargs=2,
        metavar=("SOURCE", "TARGET"),
        default=None,
        help="render each view in domain SOURCE as image and in domain TARGET (same identity, "
        "pose, expression, lighting, occluder) as target_image; replaces --domains",
    )
    arguments, options = parse_job_arguments(parser, argv)
    if arguments.pair_domains is not None and arguments.pair_with_frontal:
        parser.error("--pair-domains and --pair-with-frontal both write target_image")
    unknown = [name for name in arguments.pair_domains or () if name not in DOMAINS]
    if unknown:
        parser.error(f"--pair-domains: unknown domain(s) {unknown}; any of: {', '.join(DOMAINS)}")
    if arguments.uv_completion and not arguments.coefficients:
        parser.error("--uv-completion needs --coefficients (UV_bl blends into the 3DMM texture)")
    config = synth_config_from_arguments(arguments)
    dofn = SynthFacesDoFn(
        config,
        arguments.with_uv_texture,
        arguments.pair_with_frontal,
        arguments.coefficients,
        arguments.uv_completion,
        pair_domains=arguments.pair_domains,
        fractions=arguments.fractions,
        salt=arguments.split_salt,
        image_format=arguments.image_format,
        jpeg_quality=arguments.jpeg_quality,
    )
    items = list(range(config.first_identity, config.first_identity + config.identities))
    info = run_job(SOURCE, items, dofn, arguments, options, {"synth_config": to_dict(config)})
    if arguments.coefficients:
        write_morphable_model(config, arguments.output)
    return info


def write_morphable_model(config: SynthConfig, output: str) -> str:
    """Writes the morphable model of `config`'s coefficients to OUTPUT/morphable_model.npz."""
    import tensorflow as tf

    from tfface.face3d import save_morphable_model
    from tfface.synth import SynthFaces

    model = SynthFaces.from_config(config).morphable_model()
    path = f"{output.rstrip('/')}/{MORPHABLE_MODEL_FILE}"
    if "://" in output:  # a remote file system: write locally, then copy
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            local = save_morphable_model(model, Path(folder) / MORPHABLE_MODEL_FILE)
            tf.io.gfile.copy(str(local), path, overwrite=True)
    else:
        save_morphable_model(model, path)
    return path


if __name__ == "__main__":
    run_as_script("pipelines.synthfaces")
