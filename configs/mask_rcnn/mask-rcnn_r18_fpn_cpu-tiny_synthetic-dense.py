# cpu-tiny Mask R-CNN on the synthetic dense set (`make demo` trains its
# sparse-preset twin, mask-rcnn_r18_fpn_cpu-tiny_synthetic-sparse.py).
_base_ = [
    '../_base_/models/mask-rcnn_r18_fpn_cpu-tiny.py',
    '../_base_/datasets/synthetic_dense_instance_cpu-tiny.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_cpu-tiny.py'
]
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=3), mask_head=dict(num_classes=3)))
default_hooks = dict(logger=dict(interval=20))
