# cpu-tiny MS R-CNN (axis-aligned) on the synthetic dense set: the
# benchmark's baseline, slimmed and scheduled exactly like its rotated twin.
_base_ = [
    '../mask_rcnn/mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    '../_base_/models/ms_rcnn_parts.py'
]

model = dict(
    type='MaskScoringRCNN',
    roi_head=dict(
        type='MaskScoreNMSRoIHead',
        mask_iou_head={{_base_.mask_iou_head_cpu_tiny}}),
    # MaskIoU targets binarise the mask logits at 0 (probability 0.5, the
    # threshold test-time masks use), as the original
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.0)),
    test_cfg=dict(
        rcnn=dict(nms=None, mask_score_nms={{_base_.mask_score_nms}})))
