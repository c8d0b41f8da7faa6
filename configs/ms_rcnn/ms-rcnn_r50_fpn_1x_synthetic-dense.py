# MS R-CNN R-50 FPN 1x, axis-aligned (for GPU users): mmdet's Mask Scoring
# R-CNN with Rotated MS R-CNN's test flow (soft-NMS on the mask scores).
_base_ = [
    '../mask_rcnn/mask-rcnn_r50_fpn_1x_synthetic-dense.py',
    '../_base_/models/ms_rcnn_parts.py'
]

model = dict(
    type='MaskScoringRCNN',
    roi_head=dict(
        type='MaskScoreNMSRoIHead',
        mask_iou_head={{_base_.mask_iou_head}}),
    # MaskIoU targets binarise the mask logits at 0 (probability 0.5, the
    # threshold test-time masks use), as the original
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.0)),
    test_cfg=dict(
        rcnn=dict(nms=None, mask_score_nms={{_base_.mask_score_nms}})))
