from .rotated_two_stage import (
                                RotatedFasterRCNN,
                                RotatedMaskRCNN,
                                RotatedMSRCNN,
                                RotatedRPN,
)

__all__ = [
    'RotatedFasterRCNN', 'RotatedMaskRCNN', 'RotatedMSRCNN', 'RotatedRPN'
]
