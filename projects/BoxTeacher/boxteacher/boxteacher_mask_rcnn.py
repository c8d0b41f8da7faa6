"""Mask R-CNN (axis-aligned or rotated) as BoxTeacher's teacher and
student: ``forward_teacher`` returns boxes, scores and soft masks."""
import copy

import torch.nn.functional as F
from mmdet.models.detectors import MaskRCNN
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox2roi
from mmdet.utils import InstanceList
from mmengine.structures import InstanceData
from torch import Tensor

from mmrot_ext.registry import DET_MODELS


class SoftMaskTeacherMixin:
    """``forward_teacher`` for two-stage detectors with a mask head (Mask
    R-CNN, Rotated Mask R-CNN): the RoI head's boxes, then its masks pasted
    as probabilities."""

    def forward_teacher(self, batch_inputs: Tensor,
                        batch_data_samples: SampleList) -> InstanceList:
        """Teacher predictions with soft masks.

        Returns:
            list[InstanceData]: per image ``bboxes`` (N, 4), or (N, 5)
            rotated, in input pixels, ``labels`` (N,), ``scores`` (N,)
            classification confidence and ``masks`` (N, H, W) probabilities
            at the padded input size.
        """
        metas = [s.metainfo for s in batch_data_samples]
        x = self.extract_feat(batch_inputs)
        proposals = self.rpn_head.predict(x, batch_data_samples,
                                          rescale=False)
        roi_head = self.roi_head
        results = roi_head.predict_bbox(
            x, metas, proposals, roi_head.test_cfg, rescale=False)
        rois = bbox2roi([r.bboxes for r in results])
        if rois.size(0) == 0:
            for r, meta in zip(results, metas):
                r.masks = x[0].new_zeros((0, *meta['batch_input_shape']))
            return results
        soft_cfg = copy.deepcopy(roi_head.test_cfg)
        soft_cfg.mask_thr_binary = -1  # uint8 probabilities * 255
        mask_preds = roi_head._mask_forward(x, rois)['mask_preds']
        mask_preds = mask_preds.split([len(r) for r in results], 0)
        results = roi_head.mask_head.predict_by_feat(
            mask_preds, results, metas, soft_cfg, rescale=False)
        out = []
        for r, meta in zip(results, metas):
            h, w = meta['batch_input_shape']
            masks = r.masks.float() / 255.
            masks = F.pad(masks, (0, w - masks.shape[-1],
                                  0, h - masks.shape[-2]))
            out.append(
                InstanceData(
                    bboxes=r.bboxes, labels=r.labels, scores=r.scores,
                    masks=masks))
        return out


@DET_MODELS.register_module()
class BoxTeacherMaskRCNN(SoftMaskTeacherMixin, MaskRCNN):
    """Mask R-CNN with ``forward_teacher``; pair it with
    :class:`BoxSupervisedFCNMaskHead` to train from boxes and pseudo masks.
    """
