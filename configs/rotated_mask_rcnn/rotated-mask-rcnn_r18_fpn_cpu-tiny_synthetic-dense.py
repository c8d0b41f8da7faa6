# cpu-tiny Rotated Mask R-CNN on the synthetic dense set.
_base_ = [
    '../_base_/models/rotated-mask-rcnn_r18_fpn_cpu-tiny.py',
    '../_base_/models/rotated_anchors_for_sticks.py',
    '../_base_/datasets/synthetic_dense_rotated_cpu-tiny.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_rotated_cpu-tiny.py'
]
default_hooks = dict(logger=dict(interval=20))
model = dict(rpn_head=dict(anchor_generator={{_base_.stick_anchors}}))
