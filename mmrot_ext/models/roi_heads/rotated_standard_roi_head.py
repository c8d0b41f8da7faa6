"""RoI head for rotated proposals (Rotated Faster / Mask R-CNN)."""
from mmdet.models.roi_heads import StandardRoIHead
from mmrotate.registry import MODELS

from mmrot_ext.ops import resolve_nms_cfg


@MODELS.register_module()
class RotatedStandardRoIHead(StandardRoIHead):
    """mmdet's ``StandardRoIHead`` on rotated RoIs.

    Configure it with ``RotatedSingleRoIExtractor`` (RoIAlignRotated), a box
    head predicting ``rbox`` deltas and, for masks,
    :class:`RotatedFCNMaskHead`. ``test_cfg.nms`` may name our ops
    (``soft_nms_rotated``) besides mmcv's (``nms_rotated``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.test_cfg is not None and 'nms' in self.test_cfg:
            self.test_cfg.nms = resolve_nms_cfg(self.test_cfg.nms)
