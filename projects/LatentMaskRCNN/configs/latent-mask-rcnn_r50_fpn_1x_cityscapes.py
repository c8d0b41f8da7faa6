# Latent-MaskRCNN R-50 FPN on Cityscapes (GPU), mmdet's Cityscapes data
# settings (8 classes, data/cityscapes/ by path), K = 8 samples.
_base_ = [
    './_base_/latent-mask-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/cityscapes_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.LatentMaskRCNN.latent_mask_rcnn'],
    allow_failed_imports=False)
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=8), mask_head=dict(num_classes=8)),
    test_cfg=dict(latent=dict(num_samples=8, max_candidates=512)))
# mmdet's Cityscapes schedule: 8 epochs of 1488 iterations (RepeatDataset
# x8, batch 16); beta 0, then 1e-4 for the last 2 epochs
train_cfg = dict(max_epochs=8)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=500),
    dict(type='MultiStepLR', begin=0, end=8, by_epoch=True, milestones=[7],
         gamma=0.1)
]
custom_hooks = [
    dict(type='KLWeightScheduleHook',
         points=[(0, 0.0), (8928, 0.0), (8928, 1e-4)])
]
ann = 'data/cityscapes/annotations/instancesonly_filtered_gtFine_val.json'
test_evaluator = [
    dict(type='CocoMetric', ann_file=ann, metric=['segm']),
    dict(type='HighPrecisionRecallMetric', ann_file=ann)
]
val_evaluator = test_evaluator
