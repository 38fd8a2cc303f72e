"""Training of the mask-guided system (S1408 thesis sec. 3.3, 4.3), mixed into `MaskGuidedSystem`.

1. The first `parser_pretrain_steps` steps train only the face parser P_F on real
   images and masks (Eq. 3.7). Afterwards P_F is frozen: it is in no optimizer group
   used later (its `trainable` flag is never touched).
2. Every later step updates the generator networks (five local autoencoders with their
   D_sub-network decoders, E_m, G_m, E_b, G_b) on Eq. 3.9 and then the two
   multi-scale discriminators on Eq. 3.3. Steps alternate between paired data (source =
   target, all losses) and unpaired data (each target's source is its neighbour in the
   batch: examples 0<->1, 2<->3, ...; no global reconstruction and no feature matching,
   Eq. 3.10) in the ratio `paired_fraction`, decided from the step counter. Both cases
   run in one graph: the two loss terms are multiplied by a 0/1 `paired` flag.

Pairing neighbours instead of rolling the whole batch keeps the pairs inside each
replica's share of the global batch (when that share is even), so MirroredStrategy
makes exactly the update of one device.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tensorflow as tf

from tfface.data.crops import COMPONENTS as CROPPED_COMPONENTS
from tfface.losses import (
    discriminator_adversarial_loss,
    feature_matching_loss,
    generator_adversarial_loss,
    parsing_cross_entropy_loss,
)
from tfface.losses.per_example import mean_per_example
from tfface.systems.mask_guided.components import (
    CLASSES,
    COMPONENT_NAMES,
    REGION_COMPONENTS,
    enlarged_label_map,
    label_indices,
    region_image,
)


def neighbour_indices(batch_size: tf.Tensor) -> tf.Tensor:
    """int32 (B,): the unpaired source of each example: 0<->1, 2<->3, ...; an odd last one takes
    its predecessor (a batch of one pairs with itself)."""
    index = tf.range(batch_size)
    partner = index + 1 - 2 * (index % 2)
    partner = tf.where(partner >= batch_size, index - 1, partner)
    return tf.maximum(partner, 0)


def paired_flag(generator_step: tf.Tensor, paired_fraction: float) -> tf.Tensor:
    """float32 scalar 1.0 if generator step `generator_step` (0-based) is paired, else 0.0.

    Step t is paired when ceil((t + 1) f) > ceil(t f): exactly a fraction f of the steps,
    evenly spread, step 0 paired (f = 0.5: paired, unpaired, paired, ...).
    """
    step = tf.cast(generator_step, tf.float64)
    fraction = tf.constant(paired_fraction, tf.float64)
    paired = tf.math.ceil((step + 1.0) * fraction) > tf.math.ceil(step * fraction)
    return tf.cast(paired, tf.float32)


def class_weighted_parsing_loss(
    labels: tf.Tensor, logits: tf.Tensor, class_weights: Sequence[float] = ()
) -> tf.Tensor:
    """Pixel-wise cross entropy (Eq. 3.7), each pixel weighted by its class's weight, (B,).

    The weights multiply the per-pixel losses, not the labels: TensorFlow's softmax cross
    entropy assumes labels that sum to one in its gradient.

    Args:
        labels: one-hot float32 (B, S, S, C).
        logits: float32 (B, S, S, C).
        class_weights: C weights, or empty for the plain loss.
    """
    if not class_weights:
        return parsing_cross_entropy_loss(labels, logits)
    per_pixel = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    weights = tf.reduce_sum(labels * tf.constant(class_weights, tf.float32), axis=-1)
    return mean_per_example(per_pixel * weights)


class MaskGuidedTraining:
    """`train_step` (GAN), `parser_step` (pre-training) and the per-step choice between them."""

    def make_train_function(self, force: bool = False):
        """Chooses per step between the parser pre-training step and the GAN step.

        Two compiled functions, each one `strategy.run` of one step, so optimizer updates
        never sit inside a `tf.cond` (MirroredStrategy cannot synchronise there). The phase
        is read from the step counter before every call (exact with steps_per_execution 1).
        """
        if self.train_function is not None and not force:
            return self.train_function
        parser_function = self._make_function(self.parser_step)
        generator_function = self._make_function(self.train_step)
        pretrain_steps = self.model_config.parser_pretrain_steps

        def function(iterator):
            if int(self.step_counter.numpy()) < pretrain_steps:
                return parser_function(iterator)
            return generator_function(iterator)

        self.train_function = function
        return function

    def parser_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One update of P_F on real images and masks: pixel-wise cross entropy, Eq. 3.7.

        Classes are weighted by `parser_class_weights` when given (1 otherwise).
        """
        labels = batch["label_map_11"]  # (B, S, S, 11) one-hot
        with tf.GradientTape() as tape:
            logits = self.face_parser(batch["image"], training=True)
            parser_loss = class_weighted_parsing_loss(
                labels, logits, self.model_config.parser_class_weights
            )  # (B,)
            total = self.reduce(parser_loss)
        self.update(tape, total, "parser")
        self.record(parser_loss=parser_loss)
        return self.finish_step()

    def train_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One generator update (Eq. 3.9 / 3.10) and one discriminator update (Eq. 3.3).

        Args:
            batch: the reader's output with crops and append regions: 'image' (B, S, S, 3),
                'label_map_11' one-hot (B, S, S, 11), 'label_map_11_index' (B, S, S),
                'crop_<eye|mouth>', 'box_<eye|mouth>' and 'append_<eye|mouth>'.
        """
        config = self.model_config
        target_image = batch["image"]  # x^t, (B, S, S, 3) in [-1, 1]
        target_mask = batch["label_map_11"]  # m^t, (B, S, S, 11)
        labels = label_indices(batch.get("label_map_11_index", target_mask))
        target_boxes = {name: batch[f"box_{name}"] for name in CROPPED_COMPONENTS}
        target_components = {name: batch[f"crop_{name}"] for name in CROPPED_COMPONENTS}
        for name, region_labels in REGION_COMPONENTS.items():
            target_components[name] = region_image(target_image, labels, region_labels)

        generator_step = self.step_counter - config.parser_pretrain_steps
        paired = paired_flag(generator_step, config.paired_fraction)  # 1.0 or 0.0
        partner = neighbour_indices(tf.shape(target_image)[0])
        source_components = {
            name: tf.where(paired > 0.5, value, tf.gather(value, partner))
            for name, value in target_components.items()
        }
        regions = {
            name: batch[f"append_{name}"]
            for name in CROPPED_COMPONENTS
            if f"append_{name}" in batch
        }
        parsing_target = tf.one_hot(enlarged_label_map(labels, regions), CLASSES)
        both_masks = tf.concat([target_mask, target_mask], axis=0)

        with tf.GradientTape() as tape:
            codes, kl = self.embed(source_components, training=True, sample=True)
            reconstructions = self.reconstruct_components(codes, training=True)
            local = tf.add_n(  # Eq. 3.1, mean squared error per component, summed
                [
                    mean_per_example(tf.square(reconstructions[name] - source_components[name]))
                    for name in COMPONENT_NAMES
                ]
            )
            fake = self.render(codes, target_mask, target_boxes, target_image, training=True)
            fake = fake["image"]
            reconstruction = mean_per_example(tf.square(fake - target_image))  # Eq. 3.2
            # Real and fake in one batch per discriminator (all its normalisations are per
            # example, so this equals two calls); the real half only feeds feature matching.
            real_outputs, fake_outputs = self.discriminate_pair(target_image, fake, both_masks)
            adversarial = generator_adversarial_loss(  # Eq. 3.4, both scales
                [outputs[-1] for outputs in fake_outputs], mode=self.mode
            )
            matching = feature_matching_loss(  # Eq. 3.5 (pix2pixHD form)
                [outputs[:-1] for outputs in real_outputs],
                [outputs[:-1] for outputs in fake_outputs],
                weighting="pix2pixhd",
            )
            parser_logits = self.face_parser(fake, training=False)  # frozen P_F
            parsing = parsing_cross_entropy_loss(parsing_target, parser_logits)  # Eq. 3.8
            generator_loss = (  # Eq. 3.9; the paired flag drops L_global and L_FM (Eq. 3.10)
                config.local_weight * local
                + paired * config.global_weight * reconstruction
                + config.adversarial_weight
                * (adversarial + paired * config.feature_matching_weight * matching)
                + config.parsing_weight * parsing
                + config.kl_weight * kl
            )
            total = self.reduce(generator_loss)
        self.update(tape, total, "generator")

        with tf.GradientTape() as tape:
            real_outputs, fake_outputs = self.discriminate_pair(
                target_image, tf.stop_gradient(fake), both_masks
            )
            discriminator_loss = discriminator_adversarial_loss(  # Eq. 3.3, both scales
                [outputs[-1] for outputs in real_outputs],
                [outputs[-1] for outputs in fake_outputs],
                mode=self.mode,
            )
            total = self.reduce(discriminator_loss)
        self.update(tape, total, "discriminator")

        paired_examples = tf.fill(tf.shape(local), paired)
        self.trackers["global_loss"].update_state(reconstruction, sample_weight=paired_examples)
        self.trackers["feature_matching_loss"].update_state(matching, sample_weight=paired_examples)
        self.record(
            local_loss=local,
            adversarial_loss=adversarial,
            parsing_loss=parsing,
            kl_loss=kl,
            generator_loss=generator_loss,
            discriminator_loss=discriminator_loss,
            paired=paired_examples,
        )
        return self.finish_step()
