# Rotated Mask R-CNN R-50 FPN 1x (ImageNet-pretrained backbone, for GPU users)
# on the synthetic dense set; the real PPC dataset plugs in by path.
_base_ = [
    '../_base_/models/rotated-mask-rcnn_r50_fpn.py',
    '../_base_/models/rotated_anchors_for_sticks.py',
    '../_base_/datasets/synthetic_dense_rotated.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime_rotated.py'
]
model = dict(rpn_head=dict(anchor_generator={{_base_.stick_anchors}}))
