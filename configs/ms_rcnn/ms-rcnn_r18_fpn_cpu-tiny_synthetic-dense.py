# cpu-tiny MS R-CNN (axis-aligned) on the synthetic dense set: the
# benchmark's baseline, slimmed and scheduled exactly like its rotated twin.
_base_ = [
    '../mask_rcnn/mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    '../_base_/models/mask_score_nms.py'
]

model = dict(
    type='MaskScoringRCNN',
    roi_head=dict(
        type='MaskScoreNMSRoIHead',
        mask_iou_head=dict(
            type='MaskIoUHead',
            num_convs=2,
            num_fcs=2,
            roi_feat_size=14,
            in_channels=64,
            conv_out_channels=64,
            fc_out_channels=256,
            num_classes=3)),
    # MaskIoU targets binarise the mask logits at 0 (probability 0.5, the
    # threshold test-time masks use), as the original
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.0)),
    test_cfg=dict(
        rcnn=dict(nms=None, mask_score_nms={{_base_.mask_score_nms}})))
