"""`WarpInpaintingSystem`: image inpainting with multiple forward warps (Sevastopolskiy 2019).

The networks and the forward pass of sec. 3.4 (Fig. 3.5): the warp field regressor f_omega
maps the masked image x = y * m and the mask m to K warp fields; each field warps the known
pixels of x (forward or backward sampler, `warping`), holes are filled with the nearest
known pixel, and the merger p_eta with a channel softmax mixes [x, w_1, ..., w_K] per
pixel. One step = three updates (Eq. 3.13):

1. generator (f_omega and p_eta, train.learning_rate): alpha_L1 L_L1 + alpha_content
   L_content + alpha_style L_style + alpha_rigidity L_rigidity + alpha_adv L^G_adv +
   alpha_gap L^G_gap, with L_L1 the mean absolute error over 3 H W values, VGG16 content /
   style losses (`losses.DEFORMATION`), the rigidity of the K warp fields, the least-squares
   adversarial loss ||1 - d_psi(F)||^2 / (H_D W_D) and the gap loss (`gap_generator_form`);
2. real/fake patch discriminator d_psi: least squares 1/2 [(d(y) - 1)^2 + d(F)^2] per patch
   (the thesis prints the fake image twice; the first term is the real one, Mao et al. 2017);
3. gap discriminator h_xi: cross entropy of predicting the known mask m from F (Eq. 3.12,
   class-balanced unless `gap_balanced` is false).

With gap_weight = 0 h_xi is not built (an optional network): the gap terms are zeros and
the third update steps nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from tfface.config.model_config import AdamConfig
from tfface.losses import (
    gap_discriminator_loss,
    gap_generator_loss,
    generator_adversarial_loss,
    masked_l1_loss,
    rigidity_loss,
)
from tfface.networks.hourglass_gap_discriminator import build_gap_discriminator
from tfface.networks.hourglass_residual import build_residual_hourglass
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.ops.hole_filling import nearest_fill
from tfface.systems.gan_updates import (
    DISCRIMINATOR_UPDATE,
    GAP_DISCRIMINATOR_UPDATE,
    GENERATOR_UPDATE,
)
from tfface.systems.inpainting_system import (
    InpaintingSystem,
    generator_terms,
    image_and_holes,
)
from tfface.systems.warp_inpainting.config import (
    WarpInpaintingConfig,
    WarpInpaintingModelConfig,
    paper,
    tiny,
)
from tfface.systems.warp_inpainting.warping import (
    flatten_candidates,
    mix_candidates,
    split_flows,
    stack_candidates,
    warp_known_pixels,
)

GENERATOR_NETWORKS: tuple[str, ...] = ("warp_regressor", "merger")
"""The networks of the inference path F_{omega, eta} (updated by Eq. 3.13)."""
REGRESSOR_INPUT_CHANNELS = 4
"""The masked image x (3) and the known mask m (1)."""
ADVERSARIAL_MODE = "least_squares"
"""LS-GAN on the sigmoid outputs of d_psi (Eq. 3.13 block, Mao et al. 2017)."""


class WarpInpaintingSystem(InpaintingSystem):
    """Inpainting by K forward warps of the known pixels, merged per pixel (Sevastopolskiy 2019 sec. 3.4).

    Sevastopolskiy, "Learning image deformations via deep learning", Skoltech 2019:
    sec. 3.1 (forward warping, Eq. 3.4-3.7), 3.2 (gap discriminator, Eq. 3.12), 3.4 (the
    inpainting pipeline, Fig. 3.5, losses Eq. 3.13), 4.2 (architecture and training).

    Networks: "warp_regressor" f_omega, "merger" p_eta, "patch_discriminator" d_psi and,
    when gap_weight > 0, "gap_discriminator" h_xi.

    `call(inputs)` is the inference path: inputs {'image': float32 (B, S, S, 3) in [-1, 1],
    'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole} -> float32 (B, S, S, 3) in
    [-1, 1] (known pixels kept when `paste_known_pixels`).
    """

    NAME = "warp_inpainting"
    SUMMARY = "inpainting with multiple forward warps (Sevastopolskiy 2019)"
    CONFIG = WarpInpaintingConfig
    PRESETS = {"paper": paper, "tiny": tiny}
    NETWORKS = (*GENERATOR_NETWORKS, "patch_discriminator")
    OPTIONAL_NETWORKS = ("gap_discriminator",)
    INFERENCE_NETWORKS = GENERATOR_NETWORKS
    OPTIMIZER_GROUPS = {
        "generator": GENERATOR_NETWORKS,
        "discriminator": ("patch_discriminator",),
        "gap_discriminator": ("gap_discriminator",),
    }
    LOSS_NAMES = (
        "l1_loss",
        "content_loss",
        "style_loss",
        "rigidity_loss",
        "adversarial_loss",
        "gap_loss",
        "generator_loss",
        "discriminator_loss",
        "gap_discriminator_loss",
    )
    UPDATES = (GENERATOR_UPDATE, DISCRIMINATOR_UPDATE, GAP_DISCRIMINATOR_UPDATE)

    model_config: WarpInpaintingModelConfig

    @classmethod
    def expected_networks(cls, model_config: WarpInpaintingModelConfig) -> tuple[str, ...]:
        """`NETWORKS`, and h_xi when gap_weight > 0."""
        return cls.NETWORKS + (cls.OPTIONAL_NETWORKS if model_config.gap_weight > 0 else ())

    @classmethod
    def build_networks(
        cls, model_config: WarpInpaintingModelConfig, seed: int = 0
    ) -> dict[str, keras.Model]:
        """f_omega ("warp_regressor"): x and m (B, S, S, 4) -> K flows (B, S, S, 2 K);
        p_eta ("merger"): W-bar and m (B, S, S, 3 (K + 1) + 1) -> logits (B, S, S, K + 1);
        d_psi ("patch_discriminator"): image (B, S, S, 3) -> sigmoid patches; and, when
        gap_weight > 0, h_xi ("gap_discriminator"): image -> P(known) (B, S, S, 1) in (0, 1).
        """
        keras.utils.set_random_seed(seed)
        model = model_config
        size, fields = model.image_size, model.warp_fields
        blocks = dict(
            encoder_blocks=model.encoder_blocks,
            residual_blocks=model.residual_blocks,
            decoder_blocks=model.decoder_blocks,
        )
        networks = {
            "warp_regressor": build_residual_hourglass(
                size,
                REGRESSOR_INPUT_CHANNELS,
                2 * fields,  # (dx, dy) per field
                model.regressor_base_filters,
                name="warp_regressor",
                **blocks,
            ),
            "merger": build_residual_hourglass(
                size,
                3 * (fields + 1) + 1,  # W-bar and m
                fields + 1,  # softmax logits over [x, w_1..w_K]
                model.regressor_base_filters * model.merger_filter_multiplier,
                name="merger",
                **blocks,
            ),
            "patch_discriminator": build_spectral_patch_discriminator(
                size,
                3,
                model.patch_filters,
                model.patch_kernel_size,
                model.patch_strides,
                norm=model.patch_norm,
                output="sigmoid",
                name="patch_discriminator",
            ),
        }
        if "gap_discriminator" in cls.expected_networks(model):
            networks["gap_discriminator"] = build_gap_discriminator(
                size, model.gap_base_filters, model.gap_blocks, name="gap_discriminator"
            )
        return networks

    @classmethod
    def optimizer_configs(cls, config: WarpInpaintingConfig) -> dict[str, AdamConfig]:
        """Adam per network group (thesis sec. 4.2.3): the generator at train.learning_rate
        (2e-5), d_psi and h_xi at their own rates (1e-5)."""
        model = config.model
        rates = {
            "generator": config.train.learning_rate,
            "discriminator": model.discriminator_learning_rate,
        }
        if model.gap_weight > 0:
            rates["gap_discriminator"] = model.gap_discriminator_learning_rate
        return {
            group: AdamConfig(rate, model.beta_1, model.beta_2) for group, rate in rates.items()
        }

    def forward(
        self,
        image: tf.Tensor,
        hole_mask: tf.Tensor,
        training: bool = False,
        sampler: str | None = None,
    ) -> dict[str, tf.Tensor]:
        """F_{omega, eta}(x, m) and its intermediate tensors (thesis sec. 3.4, Fig. 3.5).

        Args:
            image: float32 (B, S, S, 3) in [-1, 1], the complete image y (its holes are
                zeroed here, so only the known pixels reach the networks).
            hole_mask: float32 (B, S, S, 1) in {0, 1}, 1 = hole (m = 1 - hole_mask).
            training: networks in training mode.
            sampler: "forward" or "backward"; None = the config's.

        Returns:
            {'image': F float32 (B, S, S, 3) (raw merged image), 'masked': x (B, S, S, 3),
            'known': m (B, S, S, 1), 'flows': (B, K, S, S, 2) pixel offsets,
            'candidates': W (B, K + 1, S, S, 3), 'weights': M (B, S, S, K + 1)}.
        """
        config = self.model_config
        known = 1.0 - tf.cast(hole_mask, tf.float32)  # m: 1 = known pixel
        masked = tf.cast(image, tf.float32) * known  # x = y * m, holes 0
        regressed = self.warp_regressor(tf.concat([masked, known], -1), training=training)
        flows = split_flows(regressed, config.warp_fields)  # (B, K, S, S, 2)
        warped = warp_known_pixels(masked, known, flows, sampler or config.sampler)
        candidates = stack_candidates(masked, warped)  # (B, K + 1, S, S, 3)
        merger_inputs = tf.concat([flatten_candidates(candidates), known], axis=-1)
        logits = self.merger(merger_inputs, training=training)  # (B, S, S, K + 1)
        merged, weights = mix_candidates(candidates, logits)
        return {
            "image": merged,
            "masked": masked,
            "known": known,
            "flows": flows,
            "candidates": candidates,
            "weights": weights,
        }

    def inpainted(self, image: tf.Tensor, hole_mask: tf.Tensor, training: bool) -> tf.Tensor:
        """F(x, m), with the known pixels pasted back when `paste_known_pixels`, (B, S, S, 3)."""
        merged = self.forward(image, hole_mask, training)["image"]
        if not self.model_config.paste_known_pixels:
            return merged
        holes = tf.cast(hole_mask, tf.float32)
        return holes * merged + (1.0 - holes) * tf.cast(image, tf.float32)

    def discriminate(self, images: tf.Tensor, hole_mask: tf.Tensor, training: bool) -> tf.Tensor:
        """d_psi's sigmoid patch outputs of images (B, S, S, 3) (it does not see the holes)."""
        return self.patch_discriminator(images, training=training)

    def adversarial_setting(self) -> tuple[str, float]:
        """LS-GAN; d_psi's loss times alpha_adv when `scale_discriminator_losses`."""
        config = self.model_config
        return ADVERSARIAL_MODE, (
            config.adversarial_weight if config.scale_discriminator_losses else 1.0
        )

    def generator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """Eq. 3.13 and its terms, (B,) each; carries 'fake' = F(x, m), the raw merged image.

        Args:
            batch: {'image': float32 (B, S, S, 3) in [-1, 1], the complete image y;
                'hole_mask': float32 (B, S, S, 1) in {0, 1}, 1 = hole}.
        """
        config = self.model_config
        real, hole_mask = image_and_holes(batch)
        fake = self.forward(real, hole_mask, training=training)  # F(x, m) and its parts
        generated = fake["image"]  # (B, S, S, 3)
        l1 = masked_l1_loss(generated, real)  # 1/(3 H W) ||F - y||_1, (B,)
        gap = tf.zeros_like(l1)
        if config.gap_weight > 0:
            gap = gap_generator_loss(
                1.0 - hole_mask,
                self.gap_discriminator(generated, training=training),
                form=config.gap_generator_form,
            )
        terms = {
            "l1_loss": l1,
            **self.perceptual(generated, real),
            "rigidity_loss": rigidity_loss(fake["flows"]),  # mean over the K fields
            "adversarial_loss": generator_adversarial_loss(
                self.discriminate(generated, hole_mask, training), mode=ADVERSARIAL_MODE
            ),
            "gap_loss": gap,
        }
        weights = {
            "l1_loss": config.l1_weight,
            "content_loss": config.content_weight,
            "style_loss": config.style_weight,
            "rigidity_loss": config.rigidity_weight,
            "adversarial_loss": config.adversarial_weight,
            "gap_loss": config.gap_weight,
        }
        return generator_terms(terms, weights, fake=generated)

    def gap_discriminator_objective(
        self, batch: Mapping[str, tf.Tensor], carried: dict, training: bool
    ) -> dict[str, tf.Tensor]:
        """h_xi's objective (Eq. 3.12) of predicting the known mask m from the carried F, (B,);
        zeros without h_xi (gap_weight 0)."""
        config = self.model_config
        _, hole_mask = image_and_holes(batch)
        generated = carried["fake"]
        if config.gap_weight <= 0:
            return {"gap_discriminator_loss": tf.zeros(tf.shape(generated)[:1], tf.float32)}
        gap_scale = config.gap_weight if config.scale_discriminator_losses else 1.0
        loss = gap_discriminator_loss(
            1.0 - hole_mask,
            self.gap_discriminator(generated, training=training),
            balanced=config.gap_balanced,
        )
        return {"gap_discriminator_loss": gap_scale * loss}

    def intermediate_images(self, images: tf.Tensor, holes: tf.Tensor) -> dict[str, tf.Tensor]:
        """The nearest fill of the holes (every warped candidate's starting point)."""
        return {"nearest_fill": nearest_fill(images * (1.0 - holes), 1.0 - holes)}
