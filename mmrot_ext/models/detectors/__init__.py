from .alternating_training_step import AlternatingTrainingStep
from .rotated_two_stage import (
                                RotatedFasterRCNN,
                                RotatedMaskRCNN,
                                RotatedMSRCNN,
                                RotatedRPN,
)

__all__ = [
    'AlternatingTrainingStep', 'RotatedFasterRCNN', 'RotatedMaskRCNN',
    'RotatedMSRCNN', 'RotatedRPN'
]
