"""Latent-MaskRCNN: distributional instance segmentation. Configs load it
with ``custom_imports=dict(imports=['projects.LatentMaskRCNN.
latent_mask_rcnn'])``."""
from .kl_schedule_hook import KLWeightScheduleHook
from .latent_mask_rcnn import LatentMaskRCNN
from .latent_modules import (
    LatentEncoder,
    LatentFusion,
    LatentPrior,
    gaussian_kl,
    sample_gaussian,
)
from .sample_fusion import confidence_masks, mask_iou_matrix, union_nms

__all__ = [
    'KLWeightScheduleHook', 'LatentEncoder', 'LatentFusion',
    'LatentMaskRCNN', 'LatentPrior', 'confidence_masks', 'gaussian_kl',
    'mask_iou_matrix', 'sample_gaussian', 'union_nms'
]
