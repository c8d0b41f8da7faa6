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

    ``test_cfg.mask_rbox_scale`` (default 1.0; the shipped configs 1.05, the
    original's) enlarges each detection's w and h before its mask features
    are pooled at test time; :class:`RotatedFCNMaskHead` pastes the mask
    into the same enlarged box. The detections' boxes are not changed.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.test_cfg is not None and 'nms' in self.test_cfg:
            self.test_cfg.nms = resolve_nms_cfg(self.test_cfg.nms)

    def _mask_forward(self, x, rois=None, pos_inds=None, bbox_feats=None):
        """mmdet's mask forward; at test time on (n, 6) RoIs enlarged by
        ``test_cfg.mask_rbox_scale`` in w and h."""
        scale = (self.test_cfg or {}).get('mask_rbox_scale', 1.0)
        if rois is not None and not self.training and scale != 1.0:
            rois = rois.clone()
            rois[:, 3:5] *= scale
        return super()._mask_forward(x, rois, pos_inds, bbox_feats)
