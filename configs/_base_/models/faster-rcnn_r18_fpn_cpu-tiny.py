# Slim Faster R-CNN for 2 CPU cores; the slimming of cpu_tiny_parts.py.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py', './cpu_tiny_parts.py'
]

model = dict(
    backbone={{_base_.cpu_tiny_backbone}},
    neck={{_base_.cpu_tiny_neck}},
    rpn_head={{_base_.cpu_tiny_rpn_head}},
    roi_head=dict(
        bbox_roi_extractor={{_base_.cpu_tiny_roi_extractor}},
        bbox_head={{_base_.cpu_tiny_bbox_head}}),
    train_cfg={{_base_.cpu_tiny_train_cfg}},
    test_cfg={{_base_.cpu_tiny_test_cfg}})
