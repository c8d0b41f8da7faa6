"""Region proposal network on rotated anchors (Rotated Mask R-CNN's RRPN)."""
from mmdet.models.dense_heads import RPNHead
from mmrotate.registry import MODELS

from mmrot_ext.ops import fast_nms_rotated, resolve_nms_cfg

ROTATED_NMS = ('nms_rotated', 'fast_nms_rotated', 'soft_nms_rotated')


def _check_rotated_nms(nms, where):
    if nms is not None and nms.get('type') not in ROTATED_NMS:
        raise ValueError(
            f'RotatedRPNHead proposals are rotated boxes: its {where}.nms '
            f'type must be one of {ROTATED_NMS}, got {nms.get("type")!r}')


@MODELS.register_module()
class RotatedRPNHead(RPNHead):
    """mmdet's ``RPNHead`` proposing rotated boxes.

    Anchors come from :class:`RotatedAnchorGenerator` (scales x ratios x
    angles), deltas ``(dx, dy, dw, dh, dtheta)`` from mmrotate's
    ``DeltaXYWHTRBBoxCoder``; configs pair it with a rotated IoU calculator
    in the assigner and ``nms_rotated`` on proposals. Usable alone in an
    RPN-only detector. Defaults follow the original: angles -90/-60/-30,
    ratios 0.5/1/2, one size per FPN level, anchors centred in their cells;
    the default coder folds angle targets by swapping w and h (``edge_swap``)
    and projects (dx, dy) into the anchor frame (``proj_xy``, ours; the
    original does not project), as the shipped configs. With
    ``fast_nms_rotated`` the proposal NMS stops once ``max_per_img``
    proposals are kept (same result as mmcv's ``nms_rotated``, tens of times
    faster on CPU).
    """

    def __init__(self, in_channels, **kwargs):
        kwargs.setdefault(
            'anchor_generator',
            dict(type='RotatedAnchorGenerator', scales=[8],
                 ratios=[0.5, 1.0, 2.0], angles=[-90.0, -60.0, -30.0],
                 strides=[4, 8, 16, 32, 64], center_offset=0.5,
                 use_box_type=True))
        kwargs.setdefault(
            'loss_cls',
            dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True,
                 loss_weight=1.0))
        kwargs.setdefault(
            'loss_bbox',
            dict(type='mmdet.SmoothL1Loss', beta=1.0 / 9.0, loss_weight=1.0))
        kwargs.setdefault(
            'bbox_coder',
            dict(type='DeltaXYWHTRBBoxCoder', angle_version='le90',
                 edge_swap=True, proj_xy=True,
                 target_means=(0., 0., 0., 0., 0.),
                 target_stds=(1., 1., 1., 1., 1.), use_box_type=True))
        super().__init__(in_channels, **kwargs)
        if self.bbox_coder.encode_size != 5:
            raise ValueError(
                f'RotatedRPNHead needs a rotated box coder (encode_size 5), '
                f'got {type(self.bbox_coder).__name__}')
        _check_rotated_nms((self.test_cfg or {}).get('nms'), 'test_cfg')

    def _bbox_post_process(self, results, cfg, rescale=False, with_nms=True,
                           img_meta=None):
        """mmdet's post-processing with our rotated NMS ops resolved."""
        _check_rotated_nms(cfg.get('nms'), 'proposal cfg')
        cfg = cfg.copy()
        cfg.nms = resolve_nms_cfg(cfg.nms)
        if cfg.nms['type'] is fast_nms_rotated:
            cfg.nms['max_num'] = cfg.max_per_img
        return super()._bbox_post_process(results, cfg, rescale, with_nms,
                                          img_meta)
