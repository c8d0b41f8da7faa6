"""Region proposal network on rotated anchors (Rotated Mask R-CNN's RRPN)."""
import torch
from mmdet.models.dense_heads import RPNHead
from mmdet.models.task_modules.prior_generators import anchor_inside_flags

from mmrot_ext.registry import ROTATED_MODELS

ROTATED_NMS = ('nms_rotated', 'fast_nms_rotated', 'soft_nms_rotated')


def _check_rotated_nms(nms, where):
    if nms is not None and nms.get('type') not in ROTATED_NMS:
        raise ValueError(
            f'RotatedRPNHead proposals are rotated boxes: its {where}.nms '
            f'type must be one of {ROTATED_NMS}, got {nms.get("type")!r}')


def gt_balanced_objectness_weights(pos_gt_inds, num_gts):
    """Objectness weights under which every GT counts equally (the
    original's RRPN loss).

    A sampled positive of GT ``g`` gets ``num_pos / (count_g * num_gts)``,
    so each GT's positives share one equal total weight however many anchors
    it matched (thin objects match few); negatives get
    ``min(smallest positive weight, 0.5)``.

    Args:
        pos_gt_inds (Tensor): (num_pos,) GT index of each sampled positive.
        num_gts (int): GT boxes in the image (those without a sampled
            positive count too, as in the original).

    Returns:
        tuple[Tensor, Tensor]: (num_pos,) positive weights and a scalar
        negative weight, on ``pos_gt_inds``' device (no host sync).
    """
    counts = torch.bincount(pos_gt_inds, minlength=num_gts).float()
    pos_weights = pos_gt_inds.numel() / (counts[pos_gt_inds] * num_gts)
    neg_weight = pos_weights.min().clamp(max=0.5)
    return pos_weights, neg_weight


@ROTATED_MODELS.register_module()
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

    ``train_cfg.gt_balanced_objectness=True`` weights the objectness loss so
    every GT counts equally (:func:`gt_balanced_objectness_weights`, the
    original's RRPN loss, computed per image here); default False, mmdet's
    uniform weights.
    """

    def __init__(self,
                 in_channels,
                 anchor_generator=dict(
                     type='RotatedAnchorGenerator',
                     scales=[8],
                     ratios=[0.5, 1.0, 2.0],
                     angles=[-90.0, -60.0, -30.0],
                     strides=[4, 8, 16, 32, 64],
                     center_offset=0.5,
                     use_box_type=True),
                 bbox_coder=dict(
                     type='DeltaXYWHTRBBoxCoder',
                     angle_version='le90',
                     edge_swap=True,
                     proj_xy=True,
                     target_means=(0., 0., 0., 0., 0.),
                     target_stds=(1., 1., 1., 1., 1.),
                     use_box_type=True),
                 loss_cls=dict(
                     type='mmdet.CrossEntropyLoss',
                     use_sigmoid=True,
                     loss_weight=1.0),
                 loss_bbox=dict(
                     type='mmdet.SmoothL1Loss', beta=1.0 / 9.0,
                     loss_weight=1.0),
                 **kwargs):
        super().__init__(
            in_channels,
            anchor_generator=anchor_generator,
            bbox_coder=bbox_coder,
            loss_cls=loss_cls,
            loss_bbox=loss_bbox,
            **kwargs)
        if self.bbox_coder.encode_size != 5:
            raise ValueError(
                f'RotatedRPNHead needs a rotated box coder (encode_size 5), '
                f'got {type(self.bbox_coder).__name__}')
        _check_rotated_nms((self.test_cfg or {}).get('nms'), 'test_cfg')

    def _get_targets_single(self, flat_anchors, valid_flags, gt_instances,
                            img_meta, gt_instances_ignore=None,
                            unmap_outputs=True):
        """mmdet's targets, with per-GT balanced objectness weights when
        ``train_cfg.gt_balanced_objectness`` is set."""
        targets = super()._get_targets_single(flat_anchors, valid_flags,
                                              gt_instances, img_meta,
                                              gt_instances_ignore,
                                              unmap_outputs)
        sampling_result = targets[-1]
        if not self.train_cfg.get('gt_balanced_objectness', False) or \
                sampling_result.pos_inds.numel() == 0:
            return targets
        label_weights = targets[1].clone()
        pos_inds, neg_inds = sampling_result.pos_inds, sampling_result.neg_inds
        if unmap_outputs:  # pos / neg index the anchors inside the image
            inside = anchor_inside_flags(flat_anchors, valid_flags,
                                         img_meta['img_shape'][:2],
                                         self.train_cfg['allowed_border'])
            inside = inside.nonzero().squeeze(1)
            pos_inds, neg_inds = inside[pos_inds], inside[neg_inds]
        pos_weights, neg_weight = gt_balanced_objectness_weights(
            sampling_result.pos_assigned_gt_inds, len(gt_instances))
        label_weights[pos_inds] = pos_weights
        label_weights[neg_inds] = neg_weight
        return (targets[0], label_weights) + tuple(targets[2:])

    def _bbox_post_process(self, results, cfg, rescale=False, with_nms=True,
                           img_meta=None):
        """mmdet's post-processing; ``fast_nms_rotated`` stops at
        ``max_per_img`` proposals."""
        _check_rotated_nms(cfg.get('nms'), 'proposal cfg')
        if (cfg.get('nms') or {}).get('type') == 'fast_nms_rotated':
            cfg = cfg.copy()
            cfg.nms = dict(cfg.nms, max_num=cfg.max_per_img)
        return super()._bbox_post_process(results, cfg, rescale, with_nms,
                                          img_meta)
