"""RoI head of Rotated MS R-CNN: rotated masks scored by a MaskIoU head."""

from mmrot_ext.registry import ROTATED_MODELS
from .mask_score_nms_roi_head import MaskScoreNMSRoIHead
from .rotated_standard_roi_head import RotatedStandardRoIHead


@ROTATED_MODELS.register_module()
class RotatedMaskScoringRoIHead(MaskScoreNMSRoIHead, RotatedStandardRoIHead):
    """:class:`MaskScoreNMSRoIHead` on rotated RoIs.

    Pair it with ``RotatedSingleRoIExtractor``, an ``rbox`` box head,
    :class:`RotatedFCNMaskHead` and :class:`RotatedMaskIoUHead`; final
    scores are ``cls_score x maskiou``, optionally re-suppressed by them
    with ``soft_nms_rotated`` / ``nms_rotated``. Masks (and the MaskIoU
    head's features) come from boxes enlarged by ``test_cfg.mask_rbox_scale``
    as in :class:`RotatedStandardRoIHead`.
    """
