"""RoI head for rotated proposals (Rotated Faster / Mask R-CNN)."""
import torch
from mmdet.models.roi_heads import StandardRoIHead
from mmengine.structures import InstanceData

from mmrot_ext.registry import ROTATED_MODELS
from mmrot_ext.structures import enlarge_rboxes, jitter_rboxes


@ROTATED_MODELS.register_module()
class RotatedStandardRoIHead(StandardRoIHead):
    """mmdet's ``StandardRoIHead`` on rotated RoIs.

    Configure it with ``RotatedSingleRoIExtractor`` (RoIAlignRotated), a box
    head predicting ``rbox`` deltas and, for masks,
    :class:`RotatedFCNMaskHead`. ``test_cfg.nms`` may name our ops
    (``soft_nms_rotated``) besides mmcv's (``nms_rotated``).

    ``test_cfg.mask_rbox_scale`` (default 1.0; the shipped configs 1.05, the
    original's; a number or ``(s_w, s_h)``) enlarges each detection's w and
    h before its mask features are pooled at test time;
    :class:`RotatedFCNMaskHead` pastes the mask into the same enlarged box.
    The detections' boxes are not changed. ``train_cfg.mask_rbox_scale``
    (default 1.0) does the same for the positive RoIs in training, where the
    mask head cuts its targets from the same enlarged frames (box-supervised
    heads need background around the box).

    ``train_cfg.jittered_gt_proposals`` (e.g. ``dict(num_copies=3,
    max_shift=7, scale_range=(0.94, 1.06), max_angle=5)``, the original's)
    adds that many randomly perturbed copies of every GT box to each image's
    proposals before assignment (:func:`jitter_rboxes`); default off. The
    sampler's ``add_gt_as_proposals`` still adds the GT itself.
    """

    def loss(self, x, rpn_results_list, batch_data_samples):
        """mmdet's loss, after adding jittered GT copies to the proposals
        when ``train_cfg.jittered_gt_proposals`` is set."""
        jitter = (self.train_cfg or {}).get('jittered_gt_proposals')
        if jitter:
            rpn_results_list = [
                self._add_jittered_gt(results, sample.gt_instances.bboxes,
                                      jitter)
                for results, sample in zip(rpn_results_list,
                                           batch_data_samples)
            ]
        return super().loss(x, rpn_results_list, batch_data_samples)

    @staticmethod
    def _add_jittered_gt(results, gt_bboxes, jitter):
        """Proposals (``bboxes``, ``scores``, ``labels``) followed by jittered
        copies of ``gt_bboxes`` with score 1 and label 0."""
        gt = getattr(gt_bboxes, 'tensor', gt_bboxes)
        copies = jitter_rboxes(gt.to(results.bboxes.tensor.dtype), **jitter)
        boxes = results.bboxes
        merged = InstanceData(
            bboxes=boxes.cat([boxes, type(boxes)(copies)]),
            scores=torch.cat([results.scores,
                              results.scores.new_ones(len(copies))]),
            labels=torch.cat([results.labels,
                              results.labels.new_zeros(len(copies))]))
        return merged

    def _mask_forward(self, x, rois=None, pos_inds=None, bbox_feats=None):
        """mmdet's mask forward on (n, 6) RoIs enlarged by the
        ``mask_rbox_scale`` of ``train_cfg`` (training) or ``test_cfg``."""
        cfg = self.train_cfg if self.training else self.test_cfg
        scale = (cfg or {}).get('mask_rbox_scale', 1.0)
        if rois is not None:
            rois = torch.cat([rois[:, :1], enlarge_rboxes(rois[:, 1:], scale)],
                             dim=1)
        return super()._mask_forward(x, rois, pos_inds, bbox_feats)
