"""Network builders: each returns a built `keras.Model` (one builder per module).

| builder | network | source |
|---|---|---|
| build_component_encoder | E_local (local embedding encoder) | Gu et al. 2019; S1408 thesis sec. 3.1.1 |
| build_component_image_decoder | D_local (local embedding decoder) | ibid., Eq. 3.1 |
| build_component_feature_decoder | D_sub-network (component feature maps for G_m) | ibid., sec. 3.1.2 |
| build_mask_encoder | E_m (target mask encoder) | ibid., sec. 3.2.2 |
| build_multi_mask_encoder | five component mask encoders | S1408 thesis sec. 4.5.2 |
| build_mask_guided_generator | G_m (pix2pixHD global generator) | ibid., sec. 3.1.2; Wang et al. 2018 |
| build_background_encoder | E_b | ibid., sec. 3.1.3 |
| build_background_fusing_generator | G_b | ibid., sec. 3.1.3 |
| build_conditional_patch_discriminator | multi-scale conditional PatchGAN D_i | ibid., sec. 3.2.3; pix2pixHD |
| build_face_parser | P_F (U-Net face parser) | ibid., sec. 3.2.4; Ronneberger et al. 2015 |
"""

from tfface.networks.background_encoder import build_background_encoder
from tfface.networks.background_fusing_generator import build_background_fusing_generator
from tfface.networks.component_encoder import build_component_encoder
from tfface.networks.component_feature_decoder import build_component_feature_decoder
from tfface.networks.component_image_decoder import build_component_image_decoder
from tfface.networks.conditional_patch_discriminator import build_conditional_patch_discriminator
from tfface.networks.face_parser import build_face_parser
from tfface.networks.mask_encoder import build_mask_encoder
from tfface.networks.mask_guided_generator import build_mask_guided_generator
from tfface.networks.multi_mask_encoder import build_multi_mask_encoder

__all__ = [
    "build_background_encoder",
    "build_background_fusing_generator",
    "build_component_encoder",
    "build_component_feature_decoder",
    "build_component_image_decoder",
    "build_conditional_patch_discriminator",
    "build_face_parser",
    "build_mask_encoder",
    "build_mask_guided_generator",
    "build_multi_mask_encoder",
]
