# Rotated Mask R-CNN slimmed like mask-rcnn_r18_fpn_cpu-tiny (cpu_tiny_parts.py:
# same backbone, widths, proposals, sampled RoIs) so the two compare like for
# like on 2 CPU cores. RoIAlignRotated keeps its own sampling ratio.
_base_ = ['./rotated-mask-rcnn_r50_fpn.py', './cpu_tiny_parts.py']

model = dict(
    backbone={{_base_.cpu_tiny_backbone}},
    neck={{_base_.cpu_tiny_neck}},
    rpn_head={{_base_.cpu_tiny_rpn_head}},
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head={{_base_.cpu_tiny_bbox_head}},
        mask_roi_extractor=dict(out_channels=64),
        mask_head={{_base_.cpu_tiny_mask_head}}),
    train_cfg={{_base_.cpu_tiny_train_cfg}},
    test_cfg={{_base_.cpu_tiny_test_cfg}})
