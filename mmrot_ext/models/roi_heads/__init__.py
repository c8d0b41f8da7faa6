from .keypoint_heads import *  # noqa: F401,F403
from .keypoint_roi_heads import KeypointRoIHead, RotatedKeypointRoIHead
from .mask_heads import *  # noqa: F401,F403
from .mask_score_nms_roi_head import MaskScoreNMSRoIHead
from .rotated_mask_scoring_roi_head import RotatedMaskScoringRoIHead
from .rotated_standard_roi_head import RotatedStandardRoIHead

__all__ = [
    'KeypointRoIHead', 'MaskScoreNMSRoIHead', 'RotatedKeypointRoIHead',
    'RotatedMaskScoringRoIHead', 'RotatedStandardRoIHead'
]
