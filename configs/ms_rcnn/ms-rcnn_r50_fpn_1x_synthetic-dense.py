# MS R-CNN R-50 FPN 1x, axis-aligned (for GPU users): mmdet's Mask Scoring
# R-CNN with linear soft-NMS as in Rotated MS R-CNN, and the option of NMS on
# the mask scores (test_cfg.rcnn.mask_score_nms).
_base_ = '../mask_rcnn/mask-rcnn_r50_fpn_1x_synthetic-dense.py'

model = dict(
    type='MaskScoringRCNN',
    roi_head=dict(
        type='MaskScoreNMSRoIHead',
        mask_iou_head=dict(
            type='MaskIoUHead',
            num_convs=4,
            num_fcs=2,
            roi_feat_size=14,
            in_channels=256,
            conv_out_channels=256,
            fc_out_channels=1024,
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
