# cpu-tiny Rotated MS R-CNN on the synthetic dense set (the benchmark's
# rotated side; its axis-aligned twin is ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_*).
_base_ = [
    '../rotated_mask_rcnn/rotated-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    '../_base_/models/ms_rcnn_parts.py'
]

model = dict(
    type='RotatedMSRCNN',
    roi_head=dict(
        type='RotatedMaskScoringRoIHead',
        mask_iou_head={{_base_.rotated_mask_iou_head_cpu_tiny}}),
    # MaskIoU targets binarise the mask logits at 0 (probability 0.5, the
    # threshold test-time masks use), as the original
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.0)),
    test_cfg=dict(
        rcnn=dict(nms=None, mask_score_nms={{_base_.rotated_mask_score_nms}})))
