# cpu-tiny Faster R-CNN on the synthetic dense set.
_base_ = [
    '../_base_/models/faster-rcnn_r18_fpn_cpu-tiny.py',
    '../_base_/datasets/synthetic_dense_detection_cpu-tiny.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_cpu-tiny.py'
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=3)))
default_hooks = dict(logger=dict(interval=20))
