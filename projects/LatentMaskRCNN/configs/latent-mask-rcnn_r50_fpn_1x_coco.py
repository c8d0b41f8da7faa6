# Latent-MaskRCNN R-50 FPN on COCO (GPU), 1x. The public code's schedule is
# two-stage (beta 0, then constant 1e-4 after loading stage 1); here one
# run: beta 0 for the first 9 epochs, then 1e-4.
_base_ = [
    './_base_/latent-mask-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_instance.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../../../configs/_base_/default_runtime.py'
]
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.LatentMaskRCNN.latent_mask_rcnn'],
    allow_failed_imports=False)
# 1x = 12 epochs of 7330 iterations at batch 16
custom_hooks = [
    dict(type='KLWeightScheduleHook',
         points=[(0, 0.0), (65970, 0.0), (65970, 1e-4)])
]
test_evaluator = [
    dict(type='CocoMetric',
         ann_file='data/coco/annotations/instances_val2017.json',
         metric=['segm']),
    dict(type='HighPrecisionRecallMetric',
         ann_file='data/coco/annotations/instances_val2017.json')
]
val_evaluator = test_evaluator
