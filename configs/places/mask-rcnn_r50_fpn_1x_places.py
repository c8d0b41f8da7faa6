# The Places Challenge 2017 baseline: Mask R-CNN R-50 FPN, ImageNet-
# pretrained backbone only, single scale, 1x (the challenge quotes 20.0 mAP
# on val). For GPU users; not trained here (no GPU, no ImageNet weights).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/places_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py'
]
num_classes = 100
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=num_classes),
        mask_head=dict(num_classes=num_classes)),
    # up to 255 masks per image reach the metric
    test_cfg=dict(rcnn=dict(max_per_img=255)))
train_dataloader = dict(dataset=dict(num_classes=num_classes))
val_dataloader = dict(dataset=dict(num_classes=num_classes))
test_dataloader = val_dataloader
