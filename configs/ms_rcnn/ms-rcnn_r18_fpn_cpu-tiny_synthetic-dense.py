# cpu-tiny MS R-CNN (axis-aligned) on the synthetic dense set: the
# benchmark's baseline, slimmed and scheduled exactly like its rotated twin.
_base_ = '../mask_rcnn/mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'

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
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.5)),
    test_cfg=dict(
        rcnn=dict(
            nms=dict(
                type='soft_nms',
                method='linear',
                iou_threshold=0.5,
                sigma=0.5,
                min_score=0.01))))
