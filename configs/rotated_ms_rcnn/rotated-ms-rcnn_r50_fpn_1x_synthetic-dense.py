# Rotated MS R-CNN R-50 FPN 1x (for GPU users): Rotated Mask R-CNN whose mask
# scores come from a MaskIoU head (IoU target in the rotated frame), final
# score = cls_score x maskiou.
_base_ = [
    '../rotated_mask_rcnn/rotated-mask-rcnn_r50_fpn_1x_synthetic-dense.py',
    '../_base_/models/ms_rcnn_parts.py'
]

model = dict(
    type='RotatedMSRCNN',
    roi_head=dict(
        type='RotatedMaskScoringRoIHead',
        mask_iou_head={{_base_.rotated_mask_iou_head}}),
    # MaskIoU targets binarise the mask logits at 0 (probability 0.5, the
    # threshold test-time masks use), as the original
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.0)),
    test_cfg=dict(
        rcnn=dict(nms=None, mask_score_nms={{_base_.rotated_mask_score_nms}})))
