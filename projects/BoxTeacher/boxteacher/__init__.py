"""BoxTeacher: box-supervised instance segmentation with an EMA teacher.
Configs load it with ``custom_imports=dict(imports=['projects.BoxTeacher.
boxteacher'])``."""
from .box_only_annotations import DropInstanceMasks
from .box_supervised_fcn_mask_head import BoxSupervisedFCNMaskHead
from .boxteacher import BoxTeacher
from .boxteacher_condinst import BoxTeacherCondInst
from .boxteacher_mask_head import BoxTeacherMaskHead
from .boxteacher_mask_rcnn import BoxTeacherMaskRCNN
from .color_transforms import ColorJitter, RandomGaussianBlur
from .ema_hook import BoxTeacherEMAHook
from .pairwise_terms import (colour_similarity, pairwise_disagreement,
                             pseudo_mask_affinity, rgb_to_lab)
from .pseudo_labels import (
    assign_pseudo_masks,
    box_masks,
    greedy_box_matching,
    mask_aware_confidence,
)
from .rotated_box_supervised_mask_head import RotatedBoxSupervisedMaskHead
from .rotated_box_supervised_mask_rcnn import RotatedBoxSupervisedMaskRCNN
from .two_view_data_preprocessor import TwoViewDataPreprocessor
from .warmup import linear_warmup

__all__ = [
    'BoxSupervisedFCNMaskHead', 'BoxTeacher', 'BoxTeacherCondInst',
    'BoxTeacherEMAHook', 'BoxTeacherMaskHead', 'BoxTeacherMaskRCNN',
    'ColorJitter', 'DropInstanceMasks', 'RandomGaussianBlur',
    'RotatedBoxSupervisedMaskHead', 'RotatedBoxSupervisedMaskRCNN',
    'TwoViewDataPreprocessor', 'assign_pseudo_masks', 'box_masks',
    'colour_similarity', 'greedy_box_matching', 'linear_warmup',
    'mask_aware_confidence', 'pairwise_disagreement', 'pseudo_mask_affinity',
    'rgb_to_lab'
]
