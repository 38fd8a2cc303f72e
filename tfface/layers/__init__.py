"""Keras layers of tfface, one public class per module (all registered under "tfface")."""

from tfface.layers.adain import AdaIN
from tfface.layers.adain_residual_block import AdaINResidualBlock
from tfface.layers.conditional_instance_normalization import ConditionalInstanceNormalization
from tfface.layers.gated_conv2d import GatedConv2D
from tfface.layers.image_pool import ImagePool
from tfface.layers.instance_normalization import InstanceNormalization
from tfface.layers.multi_norm import MultiNorm
from tfface.layers.multi_norm_residual_block import MultiNormResidualBlock
from tfface.layers.pacgan_packing import PacGANPacking
from tfface.layers.reflection_padding2d import ReflectionPadding2D
from tfface.layers.reparameterize import Reparameterize
from tfface.layers.residual_block import ResidualBlock
from tfface.layers.resize_conv2d import ResizeConv2D
from tfface.layers.self_attention import SelfAttention
from tfface.layers.spade import SPADE

# The warp layers are written in parallel (tfface/layers/forward_warp.py, backward_warp.py);
# the guard keeps `import tfface.layers` working until those modules exist. Only these two
# imports are guarded, and only against their own module being absent: an ImportError raised
# inside them is a real error and propagates.
try:
    from tfface.layers.forward_warp import ForwardWarp
except ImportError as error:  # pragma: no cover - module not written yet
    if getattr(error, "name", None) != "tfface.layers.forward_warp":
        raise
    ForwardWarp = None
try:
    from tfface.layers.backward_warp import BackwardWarp
except ImportError as error:  # pragma: no cover - module not written yet
    if getattr(error, "name", None) != "tfface.layers.backward_warp":
        raise
    BackwardWarp = None

__all__ = [
    "SPADE",
    "AdaIN",
    "AdaINResidualBlock",
    "BackwardWarp",
    "ConditionalInstanceNormalization",
    "ForwardWarp",
    "GatedConv2D",
    "ImagePool",
    "InstanceNormalization",
    "MultiNorm",
    "MultiNormResidualBlock",
    "PacGANPacking",
    "ReflectionPadding2D",
    "Reparameterize",
    "ResidualBlock",
    "ResizeConv2D",
    "SelfAttention",
]
