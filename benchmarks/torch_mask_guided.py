"""The mask-guided GAN train step written in PyTorch: the measuring stick of
`benchmarks/train_mask_guided.py --torch` (issue #18 item 6).

Built from the SAME config object as tfface's `MaskGuidedSystem` (the `paper` / `tiny`
presets: channels, blocks, norms, loss weights, Adam settings are read from
`config.model` / `config.train`; builder defaults that the config does not hold, such as the
discriminator's `max_filters`, are read from the tfface builders' signatures), so the two
stay the same architecture when a preset changes. `parameter_counts` lets the test
(tests/benchmarks/test_torch_mask_guided.py) check that every network has exactly the
parameter count of its TensorFlow twin.

One GAN step (what the TF benchmark times after the parser pre-training):

1. the generator update: the five component autoencoders (E_local, D_local) and their
   D_sub-network feature decoders, E_m, G_m, E_b, G_b on Eq. 3.9 / 3.10 (local MSE,
   global MSE (paired), least-squares adversarial over both scales, pix2pixHD feature
   matching (paired), parsing cross entropy through the frozen face parser P_F in
   inference mode); paired and unpaired steps alternate through a 0/1 flag in one graph,
   as in `tfface.systems.mask_guided.training`;
2. the discriminator update: both multi-scale discriminators on Eq. 3.3 (least squares),
   on the real targets and the generator's detached fakes, real and fake in one batch of
   2B per discriminator (as the TF step).

Inputs are the same reader batches (crops, boxes, append regions); the sources of unpaired
steps (neighbours 0<->1, 2<->3, ...), the skin / hair region images and the enlarged
parsing target (thesis sec. 4.2.2) are computed inside the step, as in TF.

Run channels_last, float32, with `torch.set_num_threads` equal to TensorFlow's intra-op
threads, eagerly or with `torch.compile` on the two loss functions (forward + backward);
Adam is PyTorch's fused CPU Adam when available (its fastest form), else foreach.

Where the two cannot be identical (none of these changes the amount of convolution work):

- TF "same" padding of even kernels / stride 2 on odd sides is asymmetric; PyTorch's
  `padding=` is symmetric, so `SameConv2d` pads explicitly (`F.pad`) only where TF's
  padding is asymmetric (the stride-1 4 x 4 discriminator layers and logits, the stride-2
  3 x 3 convolutions): same output shapes, an extra pad copy on the PyTorch side (pix2pixHD
  pads symmetrically with 2 and gets one more row and column instead).
- Average pooling 3 x 3 / 2 'same' (D_2's input, padding excluded from the mean): PyTorch
  pads 1 on each side, TF 0 before and 1 after; same shape and work.
- The parsing loss uses `F.cross_entropy` with class indices; TF uses softmax cross entropy
  on the one-hot target (`tf.one_hot` of the enlarged labels): the same value.
- Instance norm: `nn.InstanceNorm2d(affine=True)` (what pix2pixHD users write; eps 1e-5 as
  tfface); layer norm: `nn.GroupNorm(1, C)`; the parser's batch norm in eval mode.
- The VAE / multi-target-mask variants (off in both presets) are not built here.
- The learning-rate schedule (constant, then linear decay to zero) is set per step on the
  optimizers' param groups, as Keras computes it in the step.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tfface.data.crops import COMPONENTS as CROPPED_COMPONENTS
from tfface.networks import (
    build_background_encoder,
    build_background_fusing_generator,
    build_conditional_patch_discriminator,
    build_face_parser,
    build_mask_guided_generator,
)
from tfface.networks.component_feature_decoder import FEATURE_DOWNSCALE, component_feature_size
from tfface.networks.conv_blocks import CENTERING_NORMS, halved
from tfface.networks.mask_encoder import MASK_DOWNSAMPLINGS
from tfface.systems.mask_guided.components import (
    CLASSES,
    COMPONENT_NAMES,
    ENLARGEMENT,
    REGION_COMPONENTS,
    component_sizes,
)
from tfface.systems.mask_guided.networks import REGION_EXTRA_DOWNSAMPLINGS


def builder_default(builder: Any, parameter: str) -> Any:
    """The default of `parameter` in a tfface network builder (kept in sync, not copied)."""
    return inspect.signature(builder).parameters[parameter].default


# -- layers ---------------------------------------------------------------------------------


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF 'same' padding (before, after) of one side: output ceil(size / stride)."""
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """nn.Conv2d with TF 'same' padding (symmetric in the conv when it can be, else F.pad)."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel: int, stride: int = 1, bias=True
    ):
        super().__init__(in_channels, out_channels, kernel, stride, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kernel, stride = self.kernel_size[0], self.stride[0]
        top, bottom = same_padding(x.shape[2], kernel, stride)
        left, right = same_padding(x.shape[3], kernel, stride)
        if top == bottom and left == right:
            return F.conv2d(x, self.weight, self.bias, stride, (top, left))
        x = F.pad(x, (left, right, top, bottom))
        return F.conv2d(x, self.weight, self.bias, stride)


def normalization(norm: str, channels: int) -> nn.Module:
    """The PyTorch twin of `tfface.networks.conv_blocks.normalization`."""
    if norm == "instance":
        return nn.InstanceNorm2d(channels, eps=1e-5, affine=True)
    if norm == "layer":
        return nn.GroupNorm(1, channels, eps=1e-5)
    if norm == "batch":  # Keras defaults: epsilon 1e-3, momentum 0.99
        return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)
    if norm == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {norm!r}")


def activation(name: str) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(0.2)
    return nn.Identity()


def conv_unit(
    in_channels: int,
    filters: int,
    kernel: int,
    stride: int = 1,
    norm: str = "instance",
    act: str = "relu",
    padding: str = "same",
) -> nn.Sequential:
    """Twin of `conv_blocks.conv_unit`: conv (no bias before a centring norm) -> norm -> act."""
    bias = norm not in CENTERING_NORMS
    if padding == "reflect":
        conv = nn.Conv2d(
            in_channels, filters, kernel, padding=kernel // 2, padding_mode="reflect", bias=bias
        )
    else:
        conv = SameConv2d(in_channels, filters, kernel, stride, bias=bias)
    return nn.Sequential(conv, normalization(norm, filters), activation(act))


def upsampling_unit(
    in_channels: int, filters: int, norm: str = "instance", kernel: int = 3
) -> nn.Sequential:
    """Twin of `conv_blocks.upsampling_unit`: stride-2 'same' transposed conv (2H) -> norm -> ReLU."""
    # Output (H - 1) 2 - 2 padding + kernel + output_padding = 2H: k = 3: padding 1,
    # output_padding 1 (pix2pixHD's form); k = 4: padding 1, output_padding 0.
    padding = (kernel - 1) // 2
    output_padding = 2 * padding - (kernel - 2)
    deconv = nn.ConvTranspose2d(
        in_channels,
        filters,
        kernel,
        2,
        padding=padding,
        output_padding=output_padding,
        bias=norm not in CENTERING_NORMS,
    )
    return nn.Sequential(deconv, normalization(norm, filters), nn.ReLU())


def to_image(in_channels: int, kernel: int) -> nn.Sequential:
    """Twin of `conv_blocks.to_image`: reflection padding, conv to 3 channels, tanh."""
    conv = nn.Conv2d(in_channels, 3, kernel, padding=kernel // 2, padding_mode="reflect")
    return nn.Sequential(conv, nn.Tanh())


def center_crop(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    height, width = x.shape[2], x.shape[3]
    top, left = (height - size[0]) // 2, (width - size[1]) // 2
    return x[:, :, top : top + size[0], left : left + size[1]]


class EmbeddingToMap(nn.Module):
    """Twin of `conv_blocks.embedding_to_map`: Dense -> (B, h, w, C) reshape -> norm -> ReLU."""

    def __init__(self, latent_dim: int, grid: tuple[int, int], filters: int, norm: str):
        super().__init__()
        self.grid, self.filters = grid, filters
        self.dense = nn.Linear(latent_dim, grid[0] * grid[1] * filters)
        self.norm = normalization(norm, filters)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        features = self.dense(code).view(-1, self.grid[0], self.grid[1], self.filters)
        features = features.permute(0, 3, 1, 2)  # NHWC memory = channels_last NCHW
        return F.relu(self.norm(features))


class ResidualBlock(nn.Module):
    """Twin of `tfface.layers.ResidualBlock` (reflect padding, conv biases, norm, no resample)."""

    def __init__(self, filters: int, norm: str):
        super().__init__()
        self.conv1 = nn.Conv2d(filters, filters, 3, padding=1, padding_mode="reflect")
        self.conv2 = nn.Conv2d(filters, filters, 3, padding=1, padding_mode="reflect")
        self.norm1, self.norm2 = normalization(norm, filters), normalization(norm, filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = F.relu(self.norm1(self.conv1(x)))
        return x + self.norm2(self.conv2(residual))


# -- networks -------------------------------------------------------------------------------


class ComponentEncoder(nn.Module):
    """Twin of `build_component_encoder` (non-variational)."""

    def __init__(self, size, base, max_filters, downsamplings, latent_dim, norm):
        super().__init__()
        units, channels = [conv_unit(3, base, 3, norm=norm, act="leaky_relu")], base
        for level in range(downsamplings):
            filters = min(base * 2 ** (level + 1), max_filters)
            units.append(conv_unit(channels, filters, 4, 2, norm, "leaky_relu"))
            channels = filters
        self.units = nn.Sequential(*units)
        grid = halved(size[0], downsamplings) * halved(size[1], downsamplings)
        self.embedding = nn.Linear(grid * channels, latent_dim)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        features = self.units(image).permute(0, 2, 3, 1)  # NHWC flatten, as Keras
        return self.embedding(features.reshape(features.shape[0], -1))


class ComponentImageDecoder(nn.Module):
    """Twin of `build_component_image_decoder`."""

    def __init__(self, size, base, max_filters, upsamplings, latent_dim, norm):
        super().__init__()
        grid = (halved(size[0], upsamplings), halved(size[1], upsamplings))
        channels = min(base * 2**upsamplings, max_filters)
        self.start = EmbeddingToMap(latent_dim, grid, channels, norm)
        units = []
        for level in reversed(range(upsamplings)):
            filters = min(base * 2**level, max_filters)
            units.append(upsampling_unit(channels, filters, norm, kernel=4))
            channels = filters
        self.units = nn.Sequential(*units)
        self.size = size
        self.to_image = to_image(channels, 5)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.to_image(center_crop(self.units(self.start(code)), self.size))


class ComponentFeatureDecoder(nn.Module):
    """Twin of `build_component_feature_decoder`."""

    def __init__(self, size, feature_channels, base, max_filters, upsamplings, latent_dim, norm):
        super().__init__()
        grid = (halved(size[0], upsamplings), halved(size[1], upsamplings))
        channels = min(base * 2**upsamplings, max_filters)
        self.start = EmbeddingToMap(latent_dim, grid, channels, norm)
        units = []
        for level in reversed(range(2, upsamplings)):
            filters = min(base * 2**level, max_filters)
            units.append(upsampling_unit(channels, filters, norm, kernel=4))
            channels = filters
        self.units = nn.Sequential(*units)
        self.size = component_feature_size(size)
        self.to_features = conv_unit(channels, feature_channels, 3, norm="none")

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.to_features(center_crop(self.units(self.start(code)), self.size))


def mask_encoder(classes: int, base: int) -> nn.Sequential:
    """Twin of `build_mask_encoder` (instance norm, the builder's default)."""
    norm = builder_default(build_mask_guided_generator, "norm")
    units = [conv_unit(classes, base, 7, norm=norm, padding="reflect")]
    for level in range(MASK_DOWNSAMPLINGS):
        units.append(conv_unit(base * 2**level, base * 2 ** (level + 1), 3, 2, norm))
    return nn.Sequential(*units)


class MaskGuidedGenerator(nn.Module):
    """Twin of `build_mask_guided_generator`: returns (image, features)."""

    def __init__(self, input_channels, base, downsamplings, residual_blocks):
        super().__init__()
        norm = builder_default(build_mask_guided_generator, "norm")
        channels = base * 2**MASK_DOWNSAMPLINGS
        layers = [conv_unit(input_channels, channels, 1, norm=norm)]
        for level in range(MASK_DOWNSAMPLINGS, downsamplings):
            layers.append(conv_unit(channels, base * 2 ** (level + 1), 3, 2, norm))
            channels = base * 2 ** (level + 1)
        layers += [ResidualBlock(channels, norm) for _ in range(residual_blocks)]
        for level in reversed(range(downsamplings)):
            layers.append(upsampling_unit(channels, base * 2**level, norm))
            channels = base * 2**level
        self.body = nn.Sequential(*layers)
        self.to_image = to_image(channels, 7)

    def forward(self, fused: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.body(fused)
        return self.to_image(features), features


class BackgroundFusingGenerator(nn.Module):
    """Twin of `build_background_fusing_generator` (G_b)."""

    def __init__(self, foreground_channels, background_channels, base):
        super().__init__()
        norm = builder_default(build_background_fusing_generator, "norm")
        channels = 3 + foreground_channels + background_channels
        self.fuse = conv_unit(channels, base, 1, norm=norm)
        self.blend = conv_unit(base, base, 3, norm=norm, padding="reflect")
        self.to_image = to_image(base, 7)

    def forward(self, image, features, background):
        fused = torch.cat([image, features, background], dim=1)
        return self.to_image(self.blend(self.fuse(fused)))


class PatchDiscriminator(nn.Module):
    """Twin of `build_conditional_patch_discriminator`: [features..., logits]."""

    def __init__(self, classes, base, layers, input_downsamplings):
        super().__init__()
        max_filters = builder_default(build_conditional_patch_discriminator, "max_filters")
        norm = builder_default(build_conditional_patch_discriminator, "norm")
        self.pools = input_downsamplings
        units = [conv_unit(3 + classes, base, 4, 2, "none", "leaky_relu")]
        channels = base
        for level in range(1, layers + 1):
            filters = min(base * 2**level, max_filters)
            units.append(
                conv_unit(channels, filters, 4, 2 if level < layers else 1, norm, "leaky_relu")
            )
            channels = filters
        self.units = nn.ModuleList(units)
        self.logits = SameConv2d(channels, 1, 4)

    def forward(self, image: torch.Tensor, condition: torch.Tensor) -> list[torch.Tensor]:
        features = torch.cat([image, condition], dim=1)
        for _ in range(self.pools):
            features = F.avg_pool2d(features, 3, 2, padding=1, count_include_pad=False)
        outputs = []
        for unit in self.units:
            features = unit(features)
            outputs.append(features)
        return [*outputs, self.logits(features)]


class FaceParser(nn.Module):
    """Twin of `build_face_parser` (U-Net with `depth` poolings)."""

    def __init__(self, classes, base, depth, norm):
        super().__init__()
        max_filters = builder_default(build_face_parser, "max_filters")

        def double(in_channels, filters):
            return nn.Sequential(
                conv_unit(in_channels, filters, 3, norm=norm),
                conv_unit(filters, filters, 3, norm=norm),
            )

        self.down, channels = nn.ModuleList(), 3
        for level in range(depth):
            filters = min(base * 2**level, max_filters)
            self.down.append(double(channels, filters))
            channels = filters
        bottleneck = min(base * 2**depth, max_filters)
        self.bottleneck = double(channels, bottleneck)
        channels = bottleneck
        self.deconvs, self.up = nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(depth)):
            filters = min(base * 2**level, max_filters)
            self.deconvs.append(nn.ConvTranspose2d(channels, filters, 2, 2))
            self.up.append(double(2 * filters, filters))
            channels = filters
        self.logits = nn.Conv2d(channels, classes, 1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        features, skips = image, []
        for unit in self.down:
            features = unit(features)
            skips.append(features)
            features = F.max_pool2d(features, 2)
        features = self.bottleneck(features)
        for deconv, unit, skip in zip(self.deconvs, self.up, reversed(skips), strict=True):
            features = unit(torch.cat([deconv(features), skip], dim=1))
        return self.logits(features)


def build_networks(model: Any) -> nn.ModuleDict:
    """Every network of `MaskGuidedSystem.build_networks(model)`, same names, in PyTorch.

    `model`: the resolved `MaskGuidedModelConfig` (image_size set).
    """
    if model.vae_local_embeddings or model.multi_target_mask_encoder:
        raise NotImplementedError("the PyTorch twin builds the presets' variant (no VAE, one E_m)")
    size = model.image_size
    networks: dict[str, nn.Module] = {}
    for name, component_size in component_sizes(size).items():
        downsamplings = model.local_downsamplings + (
            REGION_EXTRA_DOWNSAMPLINGS if name in REGION_COMPONENTS else 0
        )
        shared = (model.local_base_filters, model.local_max_filters, downsamplings)
        shared = (*shared, model.latent_dim, model.local_norm)
        networks[f"{name}_encoder"] = ComponentEncoder(component_size, *shared)
        networks[f"{name}_decoder"] = ComponentImageDecoder(component_size, *shared)
        networks[f"{name}_feature_decoder"] = ComponentFeatureDecoder(
            component_size, model.feature_channels, *shared
        )
    networks["mask_encoder"] = mask_encoder(CLASSES, model.base_filters)
    mask_channels = model.base_filters * 2**MASK_DOWNSAMPLINGS
    fused_channels = mask_channels + len(COMPONENT_NAMES) * model.feature_channels
    networks["mask_guided_generator"] = MaskGuidedGenerator(
        fused_channels, model.base_filters, model.downsamplings, model.residual_blocks
    )
    background_norm = builder_default(build_background_encoder, "norm")
    networks["background_encoder"] = conv_unit(
        3, model.base_filters, 7, norm=background_norm, padding="reflect"
    )
    networks["background_fusing_generator"] = BackgroundFusingGenerator(
        model.base_filters, model.base_filters, model.base_filters
    )
    for scale in range(2):
        networks[f"discriminator_{scale + 1}"] = PatchDiscriminator(
            CLASSES, model.discriminator_base_filters, model.discriminator_layers, scale
        )
    networks["face_parser"] = FaceParser(
        CLASSES, model.parser_base_filters, model.parser_depth, model.parser_norm
    )
    return nn.ModuleDict(networks)


def parameter_counts(networks: nn.ModuleDict) -> dict[str, int]:
    """Per network: parameters + batch-norm running statistics (what Keras' count_params()
    counts: its BatchNormalization holds moving mean and variance as weights)."""
    counts = {}
    for name, network in networks.items():
        count = sum(parameter.numel() for parameter in network.parameters())
        for module in network.modules():
            if isinstance(module, nn.BatchNorm2d):
                count += module.running_mean.numel() + module.running_var.numel()
        counts[name] = count
    return counts


# -- graph functions of the step (twins of tfface.systems.mask_guided.components / training) --


def component_mask(labels: torch.Tensor, values: tuple[int, ...]) -> torch.Tensor:
    """bool (B, H, W): labels in `values`."""
    mask = labels == values[0]
    for value in values[1:]:
        mask = mask | (labels == value)
    return mask


def component_centre(mask: torch.Tensor) -> torch.Tensor:
    """float32 (B, 2) bounding-box centre (row, column); the image centre when empty."""
    height, width = mask.shape[1], mask.shape[2]
    rows, columns = mask.any(dim=2), mask.any(dim=1)

    def first_and_last(flags):
        as_int = flags.to(torch.int32)
        first = as_int.argmax(dim=-1)
        last = flags.shape[-1] - 1 - as_int.flip(-1).argmax(dim=-1)
        return first, last

    top, bottom = first_and_last(rows)
    left, right = first_and_last(columns)
    centre = torch.stack([top + bottom, left + right], dim=-1).float() / 2.0
    image_centre = torch.tensor([(height - 1) / 2.0, (width - 1) / 2.0])
    empty = ~rows.any(dim=-1)
    return torch.where(empty[:, None], image_centre[None], centre)


def scale_about_centre(labels: torch.Tensor, centre: torch.Tensor, expansion: float):
    """int (B, H, W) labels enlarged about each centre (nearest, two gathers, 0 outside)."""
    scale = 1.0 / (1.0 + expansion)

    def source(size, centre_axis):
        positions = torch.arange(size, dtype=torch.float32)[None]
        value = positions * scale + (centre_axis * (1.0 - scale))[:, None]
        return (torch.sign(value) * torch.floor(value.abs() + 0.5)).long()  # (B, size)

    height, width = labels.shape[1], labels.shape[2]
    rows, columns = source(height, centre[:, 0]), source(width, centre[:, 1])
    rows_inside, columns_inside = (rows >= 0) & (rows < height), (columns >= 0) & (columns < width)
    picked = torch.gather(labels, 1, rows.clamp(0, height - 1)[:, :, None].expand(-1, -1, width))
    picked = torch.gather(picked, 2, columns.clamp(0, width - 1)[:, None, :].expand(-1, height, -1))
    inside = rows_inside[:, :, None] & columns_inside[:, None, :]
    return torch.where(inside, picked, torch.zeros_like(picked))


def enlarged_label_map(labels: torch.Tensor, regions: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """Twin of `components.enlarged_label_map` with the reader's append regions."""
    enlarged = labels
    for name, values in CROPPED_COMPONENTS.items():
        region = regions[name]
        original = component_mask(labels, values)
        scaled = scale_about_centre(labels, component_centre(original), ENLARGEMENT)
        scaled_component = component_mask(scaled, values)
        replacement = torch.where(scaled_component, scaled, labels)
        enlarged = torch.where(region & (scaled_component | original), replacement, enlarged)
    return enlarged


def place_features(features: torch.Tensor, boxes: torch.Tensor, canvas: int, scale: int):
    """Twin of `components.place_features`: (B, C, h, w) pasted into (B, C, canvas, canvas)."""
    batch, channels, height, width = features.shape
    corner = torch.div(boxes + scale // 2, scale, rounding_mode="floor")
    top = corner[:, 0].clamp(0, canvas - height)
    left = corner[:, 1].clamp(0, canvas - width)
    positions = torch.arange(canvas)[None]
    rows, columns = positions - top[:, None], positions - left[:, None]  # (B, canvas)
    row_valid = ((rows >= 0) & (rows < height)).to(features.dtype)
    column_valid = ((columns >= 0) & (columns < width)).to(features.dtype)
    row_index = rows.clamp(0, height - 1)[:, None, :, None].expand(batch, channels, canvas, width)
    placed = torch.gather(features, 2, row_index)
    column_index = columns.clamp(0, width - 1)[:, None, None, :].expand(-1, channels, canvas, -1)
    placed = torch.gather(placed, 3, column_index)
    return placed * row_valid[:, None, :, None] * column_valid[:, None, None, :]


def neighbour_indices(batch: int) -> torch.Tensor:
    """0<->1, 2<->3, ...; an odd last example takes its predecessor."""
    index = torch.arange(batch)
    partner = index + 1 - 2 * (index % 2)
    partner = torch.where(partner >= batch, index - 1, partner)
    return partner.clamp(min=0)


def mean_per_example(values: torch.Tensor) -> torch.Tensor:
    return values.flatten(1).mean(dim=1)


# -- the train step ---------------------------------------------------------------------------


def to_channels_last(array: Any) -> torch.Tensor:
    """(B, H, W, C) NumPy -> logical NCHW tensor in channels_last memory (no copy of layout)."""
    return torch.from_numpy(array).permute(0, 3, 1, 2)


def torch_batch(batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    """The reader's batch (NumPy) as the step's tensors: images and masks channels_last."""
    out = {
        "image": to_channels_last(batch["image"]),
        "mask": to_channels_last(batch["label_map_11"]),
        "labels": torch.from_numpy(batch["label_map_11"].argmax(-1)).long(),
    }
    for name in CROPPED_COMPONENTS:
        out[f"crop_{name}"] = to_channels_last(batch[f"crop_{name}"])
        out[f"box_{name}"] = torch.from_numpy(batch[f"box_{name}"]).long()
        out[f"append_{name}"] = torch.from_numpy(batch[f"append_{name}"][..., 0] > 0.5)
    return out


class MaskGuidedStep:
    """The GAN step (generator update, then discriminator update) of one config, in PyTorch.

    Args:
        config: the `MaskGuidedConfig` (e.g. tfface's `tiny` / `paper` preset).
        compile: wrap the two loss functions in `torch.compile`.
        decay_steps: generator steps of the learning-rate schedule (as the TF run's config).
    """

    def __init__(self, config: Any, compile: bool = False, seed: int = 0) -> None:
        torch.manual_seed(seed)
        self.model = config.resolved_model()
        self.size = self.model.image_size
        self.networks = build_networks(self.model).to(memory_format=torch.channels_last)
        self.networks.train()
        parser = self.networks["face_parser"]
        parser.eval()  # frozen P_F in inference mode (batch norm with moving statistics)
        parser.requires_grad_(False)
        generator_names = [name for name in self.networks if not name.startswith(("disc", "face"))]
        discriminator_names = ["discriminator_1", "discriminator_2"]
        adam = dict(
            lr=config.train.learning_rate,
            betas=(self.model.beta_1, self.model.beta_2),
            eps=self.model.epsilon,
        )
        self.adam_kind = "fused"
        generator_parameters = [p for n in generator_names for p in self.networks[n].parameters()]
        discriminator_parameters = [
            p for n in discriminator_names for p in self.networks[n].parameters()
        ]
        try:
            self.generator_optimizer = torch.optim.Adam(generator_parameters, fused=True, **adam)
            self.discriminator_optimizer = torch.optim.Adam(
                discriminator_parameters, fused=True, **adam
            )
        except (RuntimeError, TypeError):
            self.adam_kind = "foreach"
            self.generator_optimizer = torch.optim.Adam(generator_parameters, foreach=True, **adam)
            self.discriminator_optimizer = torch.optim.Adam(
                discriminator_parameters, foreach=True, **adam
            )
        self._discriminators = nn.ModuleList([self.networks[n] for n in discriminator_names])
        self.learning_rate = config.train.learning_rate
        self.decay_steps = max(config.train.steps - self.model.parser_pretrain_steps, 1)
        decay_start = self.model.decay_start
        self.decay_start = self.decay_steps // 2 if decay_start is None else decay_start
        self.step = 0
        self.generator_losses = self._generator_losses
        self.discriminator_loss = self._discriminator_loss
        if compile:
            self.generator_losses = torch.compile(self._generator_losses, dynamic=False)
            self.discriminator_loss = torch.compile(self._discriminator_loss, dynamic=False)

    # the forward pass and objectives -----------------------------------------------------
    def _render(self, codes, target_mask, boxes, target_image):
        net = self.networks
        mask_features = net["mask_encoder"](target_mask)  # (B, C_m, S/4, S/4)
        canvas = mask_features.shape[2]
        fused = [mask_features]
        for name in COMPONENT_NAMES:
            features = net[f"{name}_feature_decoder"](codes[name])
            if name in boxes:
                features = place_features(features, boxes[name], canvas, FEATURE_DOWNSCALE)
            elif features.shape[2] != canvas:
                features = F.interpolate(features, (canvas, canvas), mode="bilinear")
            fused.append(features)
        foreground, foreground_features = net["mask_guided_generator"](torch.cat(fused, dim=1))
        background = net["background_encoder"](target_image) * target_mask[:, :1]
        return net["background_fusing_generator"](foreground, foreground_features, background)

    def _discriminate_pair(self, real, fake, mask):
        both_masks = torch.cat([mask, mask], dim=0)
        images = torch.cat([real, fake], dim=0)
        outputs = [self.networks[f"discriminator_{s}"](images, both_masks) for s in (1, 2)]
        real_outputs = [[tensor.chunk(2)[0] for tensor in scale] for scale in outputs]
        fake_outputs = [[tensor.chunk(2)[1] for tensor in scale] for scale in outputs]
        return real_outputs, fake_outputs

    def _generator_losses(self, batch: dict[str, torch.Tensor], paired: torch.Tensor):
        model, net = self.model, self.networks
        target_image, target_mask, labels = batch["image"], batch["mask"], batch["labels"]
        components = {name: batch[f"crop_{name}"] for name in CROPPED_COMPONENTS}
        for name, values in REGION_COMPONENTS.items():
            keep = component_mask(labels, values)[:, None].to(target_image.dtype)
            components[name] = target_image * keep - (1.0 - keep)
        partner = neighbour_indices(target_image.shape[0])
        sources = {
            name: torch.where(paired > 0.5, value, value[partner])
            for name, value in components.items()
        }
        regions = {name: batch[f"append_{name}"] for name in CROPPED_COMPONENTS}
        parsing_target = enlarged_label_map(labels, regions)
        codes = {name: net[f"{name}_encoder"](sources[name]) for name in COMPONENT_NAMES}
        local = sum(
            mean_per_example(torch.square(net[f"{name}_decoder"](codes[name]) - sources[name]))
            for name in COMPONENT_NAMES
        )
        boxes = {name: batch[f"box_{name}"] for name in CROPPED_COMPONENTS}
        fake = self._render(codes, target_mask, boxes, target_image)
        reconstruction = mean_per_example(torch.square(fake - target_image))
        real_outputs, fake_outputs = self._discriminate_pair(target_image, fake, target_mask)
        adversarial = sum(mean_per_example(torch.square(out[-1] - 1.0)) for out in fake_outputs)
        weight = 4.0 / ((len(real_outputs[0]) - 1) * len(real_outputs))
        matching = sum(
            weight * mean_per_example(torch.abs(fake_layer - real_layer.detach()))
            for real_scale, fake_scale in zip(real_outputs, fake_outputs, strict=True)
            for real_layer, fake_layer in zip(real_scale[:-1], fake_scale[:-1], strict=True)
        )
        parser_logits = net["face_parser"](fake)
        parsing = F.cross_entropy(parser_logits, parsing_target, reduction="none").flatten(1)
        parsing = parsing.mean(dim=1)
        loss = (
            model.local_weight * local
            + paired * model.global_weight * reconstruction
            + model.adversarial_weight
            * (adversarial + paired * model.feature_matching_weight * matching)
            + model.parsing_weight * parsing
        )
        return loss.mean(), fake

    def _discriminator_loss(self, batch: dict[str, torch.Tensor], fake: torch.Tensor):
        real_outputs, fake_outputs = self._discriminate_pair(batch["image"], fake, batch["mask"])
        loss = sum(
            mean_per_example(0.5 * torch.square(real[-1] - 1.0))
            + mean_per_example(0.5 * torch.square(fake_scale[-1]))
            for real, fake_scale in zip(real_outputs, fake_outputs, strict=True)
        )
        return loss.mean()

    def _set_learning_rate(self) -> None:
        """Constant until decay_start, then linear to zero at decay_steps (as tfface)."""
        fraction = (self.step - self.decay_start) / max(self.decay_steps - self.decay_start, 1)
        rate = self.learning_rate * min(max(1.0 - fraction, 0.0), 1.0)
        for optimizer in (self.generator_optimizer, self.discriminator_optimizer):
            for group in optimizer.param_groups:
                group["lr"] = rate

    def train_step(self, batch: dict[str, torch.Tensor]) -> tuple[float, float]:
        """One GAN step: generator update, then discriminator update on the detached fakes."""
        fraction = self.model.paired_fraction
        paired = math.ceil((self.step + 1) * fraction) > math.ceil(self.step * fraction)
        self._set_learning_rate()
        self._discriminators.requires_grad_(False)  # no weight gradients of D in G's update
        generator_loss, fake = self.generator_losses(batch, torch.tensor(float(paired)))
        self.generator_optimizer.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.generator_optimizer.step()
        self._discriminators.requires_grad_(True)
        discriminator_loss = self.discriminator_loss(batch, fake.detach())
        self.discriminator_optimizer.zero_grad(set_to_none=True)
        discriminator_loss.backward()
        self.discriminator_optimizer.step()
        self.step += 1
        return generator_loss.detach(), discriminator_loss.detach()
