"""Mask Scoring R-CNN RoI head with optional NMS on mask scores."""
from mmcv.ops import batched_nms
from mmdet.models.roi_heads import MaskScoringRoIHead

from mmrot_ext.registry import DET_MODELS


@DET_MODELS.register_module()
class MaskScoreNMSRoIHead(MaskScoringRoIHead):
    """mmdet's ``MaskScoringRoIHead``, plus NMS on mask scores.

    Scores leave the head as ``cls_score x predicted mask IoU`` (mmdet's
    MaskIoU head), for a batch of images at once. With
    ``test_cfg.mask_score_nms=dict(type=..., iou_threshold=...)`` the
    detections are suppressed again, class-wise, ranked by those mask
    scores (Rotated MS R-CNN's ``USE_NMS``; set ``test_cfg.nms=None`` to skip
    the box-score NMS before it). Both configs may name our soft-NMS ops.
    """

    def predict_mask(self, x, batch_img_metas, results_list, rescale=False):
        results_list = super().predict_mask(x, batch_img_metas, results_list,
                                            rescale)
        nms_cfg = self.test_cfg.get('mask_score_nms')
        if nms_cfg is None:
            return results_list
        return [self._suppress(res, nms_cfg) for res in results_list]

    def _suppress(self, results, nms_cfg):
        """Class-wise NMS of one image's results by their (mask) scores."""
        if len(results) == 0:
            return results
        dets, keep = batched_nms(results.bboxes, results.scores,
                                 results.labels, nms_cfg)
        results = results[keep]
        results.scores = dets[:, -1]
        return results[:self.test_cfg.max_per_img]
