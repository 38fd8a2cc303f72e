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
| build_rotation_warp_regressor | f_omega (U-Net warp-field regressor) | Sevastopolskiy 2019, sec. 3.3, 4.1.2 |
| build_rotation_inpainter | g_phi (gated-convolution inpainter) | ibid.; Yu et al. 2019 |
| build_rotation_discriminator | d_psi (real/fake patch discriminator) | ibid., sec. 3.3, 4.1.2 |
| build_rotation_gap_discriminator | h_xi (U-Net gap discriminator) | ibid., sec. 3.2, 4.1.2 |
| build_residual_hourglass | f_omega / p_eta of warp inpainting (residual hourglass) | Sevastopolskiy 2019, sec. 3.4, 4.2.3 |
| build_gap_discriminator | h_xi of warp inpainting (16-block hourglass) | ibid., sec. 3.2, 4.2.3 |
| build_spectral_patch_discriminator | d_psi (SN + BN patches) / SN-PatchGAN | ibid., sec. 4.2.3; Yu et al. 2019 |
| build_gated_inpainting_generator | coarse-to-fine gated generator (GatedConvNet baseline) | Yu et al. 2019; ibid., sec. 4.2.2 |
| build_unet_generator | pix2pix U-Net generator | Isola et al. 2017; Liu 2019 sec. 2.3.1 |
| build_resnet_generator | CycleGAN ResNet generator, resize-convolution up-sampling | Zhu et al. 2017; Liu 2019 l.702-704 |
"""

from tfface.networks.background_encoder import build_background_encoder
from tfface.networks.background_fusing_generator import build_background_fusing_generator
from tfface.networks.component_encoder import build_component_encoder
from tfface.networks.component_feature_decoder import build_component_feature_decoder
from tfface.networks.component_image_decoder import build_component_image_decoder
from tfface.networks.conditional_patch_discriminator import build_conditional_patch_discriminator
from tfface.networks.face_parser import build_face_parser
from tfface.networks.hourglass_gap_discriminator import build_gap_discriminator
from tfface.networks.hourglass_residual import build_residual_hourglass
from tfface.networks.inpainting_gated_generator import build_gated_inpainting_generator
from tfface.networks.inpainting_patch_discriminator import build_spectral_patch_discriminator
from tfface.networks.mask_encoder import build_mask_encoder
from tfface.networks.mask_guided_generator import build_mask_guided_generator
from tfface.networks.multi_mask_encoder import build_multi_mask_encoder
from tfface.networks.resnet_generator import build_resnet_generator
from tfface.networks.rotation_discriminator import build_rotation_discriminator
from tfface.networks.rotation_gap_discriminator import build_rotation_gap_discriminator
from tfface.networks.rotation_inpainter import build_rotation_inpainter
from tfface.networks.rotation_warp_regressor import build_rotation_warp_regressor
from tfface.networks.unet_generator import build_unet_generator

__all__ = [
    "build_background_encoder",
    "build_background_fusing_generator",
    "build_component_encoder",
    "build_component_feature_decoder",
    "build_component_image_decoder",
    "build_conditional_patch_discriminator",
    "build_face_parser",
    "build_gap_discriminator",
    "build_gated_inpainting_generator",
    "build_mask_encoder",
    "build_mask_guided_generator",
    "build_multi_mask_encoder",
    "build_residual_hourglass",
    "build_resnet_generator",
    "build_rotation_discriminator",
    "build_rotation_gap_discriminator",
    "build_rotation_inpainter",
    "build_rotation_warp_regressor",
    "build_spectral_patch_discriminator",
    "build_unet_generator",
]
