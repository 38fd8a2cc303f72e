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

    def parser_losses(self, batch: Mapping[str, tf.Tensor], training: bool) -> tf.Tensor:
        """P_F's pixel-wise cross entropy on real images and masks (Eq. 3.7), (B,).

        Classes are weighted by `parser_class_weights` when given (1 otherwise).
        """
        logits = self.face_parser(batch["image"], training=training)
        return class_weighted_parsing_loss(
            batch["label_map_11"], logits, self.model_config.parser_class_weights
        )

    def parser_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One update of P_F on real images and masks: pixel-wise cross entropy, Eq. 3.7."""
        with tf.GradientTape() as tape:
            parser_loss = self.parser_losses(batch, training=True)  # (B,)
            total = self.reduce(parser_loss)
        self.update(tape, total, "parser")
        self.record(parser_loss=parser_loss)
        return self.finish_step()

    def step_inputs(self, batch: Mapping[str, tf.Tensor], paired: tf.Tensor) -> dict:
        """What the GAN losses need from a batch: targets, sources (paired or a neighbour's
        components) and the enlarged parsing target.

        Args:
            batch: the reader's output with crops and append regions: 'image' (B, S, S, 3),
                'label_map_11' one-hot (B, S, S, 11), 'label_map_11_index' (B, S, S),
                'crop_<eye|mouth>', 'box_<eye|mouth>' and 'append_<eye|mouth>'.
            paired: float32 scalar, 1.0 (source = target) or 0.0 (the neighbour's source).
        """
        target_image = batch["image"]  # x^t, (B, S, S, 3) in [-1, 1]
        target_mask = batch["label_map_11"]  # m^t, (B, S, S, 11)
        labels = label_indices(batch.get("label_map_11_index", target_mask))
        target_components = {name: batch[f"crop_{name}"] for name in CROPPED_COMPONENTS}
        for name, region_labels in REGION_COMPONENTS.items():
            target_components[name] = region_image(target_image, labels, region_labels)
        partner = neighbour_indices(tf.shape(target_image)[0])
        regions = {
            name: batch[f"append_{name}"]
            for name in CROPPED_COMPONENTS
            if f"append_{name}" in batch
        }
        return {
            "target_image": target_image,
            "target_mask": target_mask,
            "target_boxes": {name: batch[f"box_{name}"] for name in CROPPED_COMPONENTS},
            "source_components": {
                name: tf.where(paired > 0.5, value, tf.gather(value, partner))
                for name, value in target_components.items()
            },
            "parsing_target": tf.one_hot(enlarged_label_map(labels, regions), CLASSES),
            "both_masks": tf.concat([target_mask, target_mask], axis=0),
        }

    def generator_losses(
        self, inputs: Mapping, paired: tf.Tensor, training: bool
    ) -> dict[str, tf.Tensor]:
        """The generator objective (Eq. 3.9 / 3.10) and its terms, each (B,), and the fake image.

        Args:
            inputs: `step_inputs`' result.
            paired: float32 scalar 1.0 / 0.0: the paired flag drops L_global and L_FM.
            training: networks in training mode and sampled VAE codes (False: the means).
        """
        config = self.model_config
        target_image = inputs["target_image"]
        source_components = inputs["source_components"]
        codes, kl = self.embed(source_components, training=training, sample=training)
        reconstructions = self.reconstruct_components(codes, training=training)
        local = tf.add_n(  # Eq. 3.1, mean squared error per component, summed
            [
                mean_per_example(tf.square(reconstructions[name] - source_components[name]))
                for name in COMPONENT_NAMES
            ]
        )
        fake = self.render(
            codes, inputs["target_mask"], inputs["target_boxes"], target_image, training=training
        )["image"]
        reconstruction = mean_per_example(tf.square(fake - target_image))  # Eq. 3.2
        # Real and fake in one batch per discriminator (all its normalisations are per
        # example, so this equals two calls); the real half only feeds feature matching.
        real_outputs, fake_outputs = self.discriminate_pair(
            target_image, fake, inputs["both_masks"], training=training
        )
        adversarial = generator_adversarial_loss(  # Eq. 3.4, both scales
            [outputs[-1] for outputs in fake_outputs], mode=self.mode
        )
        matching = feature_matching_loss(  # Eq. 3.5 (pix2pixHD form)
            [outputs[:-1] for outputs in real_outputs],
            [outputs[:-1] for outputs in fake_outputs],
            weighting="pix2pixhd",
        )
        parser_logits = self.face_parser(fake, training=False)  # frozen P_F
        parsing = parsing_cross_entropy_loss(inputs["parsing_target"], parser_logits)  # Eq. 3.8
        generator_loss = (  # Eq. 3.9; the paired flag drops L_global and L_FM (Eq. 3.10)
            config.local_weight * local
            + paired * config.global_weight * reconstruction
            + config.adversarial_weight
            * (adversarial + paired * config.feature_matching_weight * matching)
            + config.parsing_weight * parsing
            + config.kl_weight * kl
        )
        return {
            "local_loss": local,
            "global_loss": reconstruction,
            "adversarial_loss": adversarial,
            "feature_matching_loss": matching,
            "parsing_loss": parsing,
            "kl_loss": kl,
            "generator_loss": generator_loss,
            "fake": fake,
        }

    def discriminator_losses(self, inputs: Mapping, fake: tf.Tensor, training: bool) -> tf.Tensor:
        """The two discriminators' objective (Eq. 3.3, both scales) on real and `fake`, (B,)."""
        real_outputs, fake_outputs = self.discriminate_pair(
            inputs["target_image"], fake, inputs["both_masks"], training=training
        )
        return discriminator_adversarial_loss(
            [outputs[-1] for outputs in real_outputs],
            [outputs[-1] for outputs in fake_outputs],
            mode=self.mode,
        )

    def train_step(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """One generator update (Eq. 3.9 / 3.10) and one discriminator update (Eq. 3.3).

        Args:
            batch: see `step_inputs`.
        """
        generator_step = self.step_counter - self.model_config.parser_pretrain_steps
        paired = paired_flag(generator_step, self.model_config.paired_fraction)  # 1.0 or 0.0
        inputs = self.step_inputs(batch, paired)
        with tf.GradientTape() as tape:
            losses = self.generator_losses(inputs, paired, training=True)
            total = self.reduce(losses["generator_loss"])
        self.update(tape, total, "generator")

        with tf.GradientTape() as tape:
            discriminator_loss = self.discriminator_losses(
                inputs, tf.stop_gradient(losses.pop("fake")), training=True
            )
            total = self.reduce(discriminator_loss)
        self.update(tape, total, "discriminator")

        paired_examples = tf.fill(tf.shape(losses["local_loss"]), paired)
        for name in ("global_loss", "feature_matching_loss"):  # paired steps only
            self.trackers[name].update_state(losses.pop(name), sample_weight=paired_examples)
        self.record(**losses, discriminator_loss=discriminator_loss, paired=paired_examples)
        return self.finish_step()

    def held_out_losses(self, batch: Mapping[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Every loss of both phases on a held-out batch, paired (the source is the target,
        so L_global measures reconstruction), networks in inference mode, VAE means.

        Args:
            batch: see `step_inputs`.

        Returns:
            {LOSS_NAMES entry: (B,)}.
        """
        paired = tf.constant(1.0)
        inputs = self.step_inputs(batch, paired)
        losses = self.generator_losses(inputs, paired, training=False)
        fake = losses.pop("fake")
        return {
            **losses,
            "parser_loss": self.parser_losses(batch, training=False),
            "discriminator_loss": self.discriminator_losses(inputs, fake, training=False),
            "paired": tf.ones_like(losses["local_loss"]),
        }
