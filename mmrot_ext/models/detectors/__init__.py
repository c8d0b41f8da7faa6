from .alternating_training_step import AlternatingTrainingStep, rpn_head_of
from .rotated_two_stage import (
                                RotatedFasterRCNN,
                                RotatedMaskRCNN,
                                RotatedMSRCNN,
                                RotatedRPN,
)

__all__ = [
    'AlternatingTrainingStep', 'RotatedFasterRCNN', 'RotatedMaskRCNN',
    'RotatedMSRCNN', 'RotatedRPN', 'rpn_head_of'
]
