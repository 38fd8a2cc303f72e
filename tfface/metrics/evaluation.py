"""One evaluation of an export on a dataset split: the streamed loop behind ``tfface evaluate``.

    with load_source(path) as source:  # closing removes a run's temporary export
        with Evaluation(source, EvaluationOptions(metrics=("fid", "ssim"), data=d)) as evaluation:
            result = evaluation.run()

Per batch, on every replica (``strategy.run``): feed the signature from the batch
(``evaluation_inputs``), call it, compare its uint8 ``image`` output (or the output its
signature's target names, e.g. uv_completion's ``uv_texture``) with the target image (the
dataset image its signature declares, see ``target_choice``; a UV-map target is resized to
the output's size; per-example SSIM / PSNR / L1 / MSE / perceptual, masked variants over
``hole_mask`` when the export takes a mask), extract InceptionV3 features of output
and target, embeddings, confusion matrices. The host gathers these per-example
values (``ReplicaRunner``) and accumulates statistics (``EvaluationAccumulator``):
memory does not grow with the image count except for per-example scalars and, when
asked for, KID features / IS logits / embeddings. A second, small pass over the
first examples draws the sample grid and the diversity samples.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tfface.data.example_files import first_example, present_features
from tfface.data.reader import UV_MAP_FEATURES, make_dataset
from tfface.metrics.buckets import BREAKDOWNS
from tfface.metrics.distributed import ReplicaRunner
from tfface.metrics.evaluation_inputs import (
    LATENT_INPUTS,
    example_count,
    feed_signature,
    free_form_hole_masks,
    needed_features,
    resolve_data,
    stored_image_size,
    takes_hole_mask,
    to_uint8,
)
from tfface.metrics.evaluation_options import IMAGE_METRICS, INCEPTION_METRICS, EvaluationOptions
from tfface.metrics.evaluation_results import EvaluationAccumulator
from tfface.metrics.face_geometry import landmark_error, pose_error
from tfface.metrics.fid import FrechetInceptionDistance
from tfface.metrics.parsing import batch_confusion
from tfface.metrics.pixel_errors import l1, mse, psnr
from tfface.metrics.sources import ExportedModel, load_source
from tfface.metrics.structural_similarity import ms_ssim, ssim
from tfface.metrics.target_choice import choose_target

IMAGE_METRIC_FUNCTIONS = {"ssim": ssim, "ms_ssim": ms_ssim, "psnr": psnr, "l1": l1, "mse": mse}
LABEL_MAP_CLASSES = 11


def _single_output(outputs: dict[str, tf.Tensor], name: str, what: str) -> tf.Tensor:
    """outputs[name], or the only output; a clear error otherwise."""
    if name in outputs:
        return outputs[name]
    if len(outputs) == 1:
        return next(iter(outputs.values()))
    raise ValueError(f"the {what} returns {sorted(outputs)}; expected an output named {name!r}")


class Evaluation:
    """Evaluates an export (``ExportedModel``-like callable) on a dataset split.

    The compared dataset image is ``target`` (``target_choice``: ``--target``, else what the
    signature declares, else a stated default). A context manager: ``close()`` removes the
    temporary exports of identity / parser models given as run directories.

    Args:
        source: the model: keyword uint8 inputs -> dict with a uint8 ``image`` (and
            ``input_specs`` / ``output_specs`` / ``describe()``, see ``sources``).
        options: what to compute (``EvaluationOptions``).
        strategy: tf.distribute strategy for the per-replica step (default: current).
    """

    def __init__(
        self,
        source: ExportedModel,
        options: EvaluationOptions,
        strategy: tf.distribute.Strategy | None = None,
    ) -> None:
        self.source = source
        self.options = options
        self.helper_models: list[ExportedModel] = []  # identity / parser models, closed by close()
        self.strategy = strategy or tf.distribute.get_strategy()
        self.pattern, self.info = resolve_data(options.data, options.split)
        example = first_example(self.pattern)
        self.present = present_features(example)
        self.image_size = options.image_size or stored_image_size(example, self.info)
        self.target = choose_target(
            options.target,
            getattr(source, "evaluation_target", None),
            self.present,
            getattr(source, "signature", options.signature),
        )
        self.target_name = self.target.feature
        self.output_name = self.target.output  # the scored output ('image' unless declared)
        self.has_latent = bool(set(source.input_specs) & set(LATENT_INPUTS))
        # Inpainting exports on datasets without holes: seeded free-form holes per example.
        self.generated_holes = (
            takes_hole_mask(source.input_specs) and "hole_mask" not in self.present
        )
        self.features = self._features()
        try:
            with self.strategy.scope():
                self._build_networks()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Closes the identity / parser models this evaluation loaded (temporary exports of runs)."""
        while self.helper_models:
            self.helper_models.pop().close()

    def __enter__(self) -> Evaluation:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def _helper_model(self, path: str | os.PathLike) -> ExportedModel:
        """An identity or parser model (export or run dir), closed with the evaluation."""
        model = load_source(path)
        self.helper_models.append(model)
        return model

    # -- setup -------------------------------------------------------------------------------

    def _features(self) -> tuple[str, ...]:
        options = self.options
        wanted = needed_features(self.source.input_specs) | {self.target_name}
        if options.by is not None or options.wants("pose"):
            if "pose" not in self.present:
                raise ValueError("--by and the pose metric need the dataset's 'pose' feature")
            wanted.add("pose")
        if options.by is not None and options.by not in BREAKDOWNS:
            raise ValueError(f"--by must be one of {', '.join(BREAKDOWNS)}, got {options.by!r}")
        if options.wants("identity") and "identity" in self.present:
            wanted.add("identity")
        if options.wants("landmarks"):
            wanted.add("landmarks")
        if options.wants("miou"):
            wanted.add(self.truth_label_map)
        if self.generated_holes:
            wanted.discard("hole_mask")
            wanted.add("key")
        if options.wants("diversity") or options.grid_examples:
            wanted.add("key")
            if "pose" in self.present:
                wanted.add("pose")  # grid labels
        missing = wanted - self.present - {"hole_mask"}  # absent masks read as empty
        if missing:
            raise ValueError(f"the dataset lacks features {sorted(missing)} needed here")
        return tuple(sorted(wanted))

    @property
    def truth_label_map(self) -> str:
        """Label map the mIoU compares with: the target's if it has one, else the input's."""
        if self.target_name == "target_image" and "target_label_map_11" in self.present:
            return "target_label_map_11"
        return "label_map_11"

    def _build_networks(self) -> None:
        options = self.options
        self.inception = self.fid = None
        if options.wants(*INCEPTION_METRICS):
            from tfface.metrics.inception import InceptionFeatures

            self.inception = InceptionFeatures(
                options.weights_for("inception_v3"), value_range=(0, 255)
            )
            self.fid = FrechetInceptionDistance(
                self.inception,
                reference=options.reference_stats,
                keep_features=options.wants("kid") or options.save_stats is not None,
                sqrt_method=options.fid_sqrt,
            )
        self.perceptual = None
        if options.wants("perceptual", "diversity"):
            from tfface.metrics.perceptual import PerceptualDistance

            self.perceptual = PerceptualDistance(
                linear_weights=options.perceptual_weights,
                vgg_weights=options.weights_for("vgg16_notop"),
                value_range=(0, 255),
            )
        self.identity_model = None
        if options.wants("identity"):
            if options.identity_model is None:
                raise ValueError("the identity metric needs --identity-model (an embedding export)")
            self.identity_model = self._helper_model(options.identity_model)
        self.parser_model = None
        if options.wants("miou") and "label_map" not in self.source.output_specs:
            if options.parser_model is None:
                raise ValueError(
                    "mIoU needs a 'label_map' output of the export or --parser-model (a parser export)"
                )
            self.parser_model = self._helper_model(options.parser_model)
        for name in ("landmarks", "pose"):
            if options.wants(name) and name not in self.source.output_specs:
                raise ValueError(f"the {name} metric needs an export output named {name!r}")

    def dataset(self, batch_size: int | None = None) -> tf.data.Dataset:
        """The split, in file order, batched (the last batch may be smaller)."""
        batch_size = batch_size or self.options.batch_size
        dataset = make_dataset(
            self.pattern,
            features=self.features,
            batch_size=batch_size,
            image_size=self.image_size,
            one_hot=False,
            shuffle=False,
            deterministic=True,
            drop_remainder=False,
        )
        if self.options.max_examples is not None:
            dataset = dataset.unbatch().take(self.options.max_examples).batch(batch_size)
        if self.generated_holes:
            size, seed = self.image_size, self.options.seed
            dataset = dataset.map(
                lambda batch: {**batch, "hole_mask": free_form_hole_masks(batch["key"], size, seed)}
            )
        return dataset

    # -- the per-replica step ----------------------------------------------------------------

    def _generated_image(self, outputs: dict[str, tf.Tensor], like: tf.Tensor) -> tf.Tensor:
        name = self.output_name
        if name not in outputs:
            raise ValueError(
                f"the export returns {sorted(outputs)}; expected a uint8 {name!r} output"
            )
        image = outputs[name]
        if image.dtype != tf.uint8:
            raise ValueError(
                f"serving contract: the {name!r} output is uint8, got {image.dtype.name}"
            )
        if not image.shape[1:].is_compatible_with(like.shape[1:]):
            raise ValueError(
                f"the output image {image.shape} does not match the target {like.shape}"
            )
        return tf.ensure_shape(image, like.shape)

    def target_images(
        self, batch: dict[str, tf.Tensor], outputs: dict[str, tf.Tensor]
    ) -> tf.Tensor:
        """uint8 (B, H, W, 3) target of the batch; a UV map (never resized by the reader) is
        resized (antialiased) to the scored output's side when the sizes differ, and a
        one-channel output (multimodal's NIR) is scored against the target in grey (NIR
        targets are decoded with their one channel repeated, so nothing is lost)."""
        target = batch[self.target_name]
        output = outputs.get(self.output_name)
        if self.target_name in UV_MAP_FEATURES and output is not None:
            side = output.shape[1:3]
            if side.is_fully_defined() and side != target.shape[1:3]:
                target = tf.image.resize(target, side, antialias=True)
        if output is not None and output.shape[-1] == 1 and target.shape[-1] == 3:
            target = tf.image.rgb_to_grayscale(target)
        return to_uint8(target)

    def step(self, batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Per-replica work on a batch share: per-example values only."""
        options = self.options
        outputs = self.source(**feed_signature(self.source.input_specs, batch, seed=options.seed))
        target = self.target_images(batch, outputs)
        result: dict[str, tf.Tensor] = {}
        generated = None
        if self.output_name in outputs or not options.wants("miou", "landmarks", "pose"):
            generated = self._generated_image(outputs, target)
        for name in IMAGE_METRICS:
            if options.wants(name):
                function = IMAGE_METRIC_FUNCTIONS[name]
                result[f"metric_{name}"] = function(generated, target)
                if takes_hole_mask(self.source.input_specs):
                    result[f"metric_{name}_hole"] = function(generated, target, batch["hole_mask"])
        if self.inception is not None:
            real_needed = not self.fid.real_is_cached
            images = tf.concat([generated, target], 0) if real_needed else generated
            features = self.inception(images)
            count = tf.shape(generated)[0]
            result["generated_pool3"] = features["pool3"][:count]
            result["generated_logits"] = features["logits"][:count]
            if real_needed:
                result["real_pool3"] = features["pool3"][count:]
        if self.perceptual is not None and options.wants("perceptual"):
            result[f"metric_{self.perceptual.name}"] = self.perceptual(generated, target)
        if self.identity_model is not None:
            for name, images in (("generated", generated), ("target", target)):
                embedded = self.identity_model(image=images)
                result[f"{name}_embedding"] = _single_output(
                    embedded, "embedding", "identity model"
                )
            if "identity" in batch:
                result["identity"] = batch["identity"]
        if options.wants("miou"):
            predicted = outputs.get("label_map")
            if predicted is None:
                parsed = self.parser_model(image=generated)
                predicted = _single_output(parsed, "label_map", "parser model")
            truth = batch[self.truth_label_map]
            result["confusion"] = batch_confusion(truth, predicted, LABEL_MAP_CLASSES)
        if options.wants("landmarks"):
            result["metric_landmark_nme"] = landmark_error(outputs["landmarks"], batch["landmarks"])
        if options.wants("pose"):
            result["pose_error"] = pose_error(outputs["pose"], batch["pose"])
        if options.by is not None:
            result["angle"] = batch["pose"][:, BREAKDOWNS[options.by]]
        return result

    # -- the runs ----------------------------------------------------------------------------

    def total_examples(self) -> int | None:
        count = example_count(self.info, self.options.split)
        if self.options.max_examples is not None:
            return (
                min(count, self.options.max_examples)
                if count is not None
                else self.options.max_examples
            )
        return count

    def run(self, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        """Streams the split; returns {'metrics', 'by', 'notes', 'examples', 'seconds', 'samples'}."""
        start = time.perf_counter()
        accumulator = EvaluationAccumulator(
            self.options, self.fid, self.inception.metadata if self.inception else None
        )
        runner = ReplicaRunner(self.step, self.strategy)
        for outputs in runner(self.dataset()):
            count = accumulator.add(outputs)
            if progress is not None:
                progress(count)
        if accumulator.examples == 0:
            raise ValueError(f"no examples in {self.pattern}")
        if self.options.save_stats is not None and self.fid is not None:
            self.fid.save_reference(self.options.save_stats)
        metrics, breakdown, notes = accumulator.results()
        if self.generated_holes:
            notes.append(
                "hole masks: the dataset has none, so free-form masks seeded by each example's "
                "key were used (the *_hole metrics are over these holes)"
            )
        samples = self.samples()
        if "diversity" in samples:
            metrics["diversity"] = samples.pop("diversity")
        notes.extend(samples.pop("notes", []))
        return {
            "metrics": metrics,
            "by": breakdown,
            "notes": notes,
            "examples": accumulator.examples,
            "seconds": time.perf_counter() - start,
            "samples": samples,
        }

    def samples(self) -> dict[str, Any]:
        """Sample grid rows and the diversity protocol (``evaluation_samples``)."""
        from tfface.metrics.evaluation_samples import draw_samples

        return draw_samples(self)
