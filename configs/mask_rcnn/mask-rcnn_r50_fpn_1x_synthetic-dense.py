# Mask R-CNN R-50 FPN 1x (ImageNet-pretrained backbone, for GPU users) on the
# synthetic dense set; the real PPC dataset plugs in by path (see README).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/synthetic_dense_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py'
]
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=3), mask_head=dict(num_classes=3)))
