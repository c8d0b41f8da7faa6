# cpu-tiny Rotated MS R-CNN on the synthetic dense set (the benchmark's
# rotated side; its axis-aligned twin is ms_rcnn/ms-rcnn_r18_fpn_cpu-tiny_*).
_base_ = [
    '../_base_/models/rotated-mask-rcnn_r18_fpn_cpu-tiny.py',
    '../_base_/datasets/synthetic_dense_rotated_cpu-tiny.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_rotated.py'
]
model = dict(
    type='RotatedMSRCNN',
    roi_head=dict(
        type='RotatedMaskScoringRoIHead',
        mask_iou_head=dict(
            type='RotatedMaskIoUHead',
            num_convs=2,
            num_fcs=2,
            roi_feat_size=14,
            in_channels=64,
            conv_out_channels=64,
            fc_out_channels=256,
            num_classes=3,
            loss_iou=dict(type='mmdet.MSELoss', loss_weight=0.5))),
    train_cfg=dict(rcnn=dict(mask_thr_binary=0.5)))
default_hooks = dict(logger=dict(interval=20))
