"""The small host-side pass of an evaluation: the sample grid and the diversity protocol.

Runs eagerly on the first examples of the split (one batch of max(grid examples,
diversity inputs)): the grid shows input, output and target per example; the
diversity protocol (``tfface.metrics.diversity``, BicycleGAN's) calls the export M
times per input with different seeded latent codes and averages the pairwise
perceptual distances.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tensorflow as tf

from tfface.metrics.diversity import Diversity
from tfface.metrics.evaluation_inputs import feed_signature, to_uint8

if TYPE_CHECKING:  # evaluation.py imports this module (lazily): no run-time cycle
    from tfface.metrics.evaluation import Evaluation


def draw_samples(evaluation: Evaluation) -> dict[str, Any]:
    """Sample grid rows (input, output, target) and the diversity protocol, on the host."""
    options = evaluation.options
    count = max(
        options.grid_examples, options.diversity_inputs if options.wants("diversity") else 0
    )
    result: dict[str, Any] = {"notes": []}
    if count == 0:
        return result
    batch = next(iter(evaluation.dataset(batch_size=count)))
    outputs = evaluation.source(
        **feed_signature(evaluation.source.input_specs, batch, seed=options.seed)
    )
    inputs = to_uint8(batch["image"]).numpy()
    target = evaluation.target_images(batch, outputs).numpy()
    if evaluation.output_name in outputs:
        generated = outputs[evaluation.output_name].numpy()
        keys = [key.decode() for key in batch["key"].numpy()]
        shown = min(options.grid_examples, len(keys))
        labels = [f"#{index}" for index in range(shown)]
        if "pose" in batch:
            yaws = batch["pose"].numpy()[:, 0]
            labels = [f"{label} yaw {yaws[index]:+.0f}" for index, label in enumerate(labels)]
        result["grid"] = {
            "rows": [[inputs[i], generated[i], target[i]] for i in range(shown)],
            "row_labels": labels,
            "column_labels": [
                "input",
                "output" if evaluation.output_name == "image" else evaluation.output_name,
                f"target: {evaluation.target_name}",
            ],
            "keys": keys[:shown],
        }
    if options.wants("diversity"):
        result["diversity"] = diversity_of(evaluation, batch, result["notes"])
    return result


def diversity_of(
    evaluation: Evaluation, batch: dict[str, tf.Tensor], notes: list[str]
) -> dict[str, Any]:
    """Mean pairwise perceptual distance of M seeded samples for each of the first N inputs."""
    options = evaluation.options
    if not evaluation.has_latent:
        notes.append(
            "diversity: the signature has no latent input, so the samples are repeated calls "
            "(0 for a deterministic export)"
        )
    draws = []
    for sample in range(options.diversity_samples):
        feeds = feed_signature(
            evaluation.source.input_specs, batch, sample=sample, seed=options.seed
        )
        draws.append(evaluation.source(**feeds)["image"])
    samples = tf.stack(draws, axis=1)[: options.diversity_inputs]  # (N, M, H, W, 3)
    diversity = Diversity(evaluation.perceptual)
    diversity.update(samples)
    result = diversity.result()
    return {
        "mean": result.mean,
        "std": result.std,
        "inputs": result.inputs,
        "samples_per_input": result.samples_per_input,
        "distance": evaluation.perceptual.name,
    }
