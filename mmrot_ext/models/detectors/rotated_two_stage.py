"""Rotated two-stage detectors (Looi, "Rotated Mask R-CNN: From Bounding
Boxes To Rotated Bounding Boxes", 2019). Thin: the logic is in the heads."""
from mmdet.models.detectors import RPN, TwoStageDetector

from mmrot_ext.registry import ROTATED_MODELS


@ROTATED_MODELS.register_module()
class RotatedRPN(RPN):
    """RPN-only detector proposing rotated boxes (use ``RotatedRPNHead``)."""


@ROTATED_MODELS.register_module()
class RotatedFasterRCNN(TwoStageDetector):
    """Faster R-CNN on rotated anchors, proposals and RoIs."""


@ROTATED_MODELS.register_module()
class RotatedMaskRCNN(TwoStageDetector):
    """Rotated Mask R-CNN: masks predicted in each rotated box's frame."""


@ROTATED_MODELS.register_module()
class RotatedMSRCNN(TwoStageDetector):
    """Rotated Mask Scoring R-CNN: Rotated Mask R-CNN whose mask scores
    come from a MaskIoU head (``RotatedMaskScoringRoIHead``)."""
