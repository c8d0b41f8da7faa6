# Latent-MaskRCNN R-50 FPN on an Apparel-5k-style dataset (one class,
# "object", COCO JSON with masks) by path (GPU), K = 16 samples, beta 1e-5
# as the public code's polybag configs.
_base_ = './latent-mask-rcnn_r50_fpn_1x_coco.py'
data_root = 'data/apparel/'
metainfo = dict(classes=('object', ), palette=[(220, 20, 60)])
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=1), mask_head=dict(num_classes=1)),
    test_cfg=dict(latent=dict(num_samples=16, max_candidates=384)))
custom_hooks = [
    dict(type='KLWeightScheduleHook',
         points=[(0, 0.0), (65970, 0.0), (65970, 1e-5)])
]
train_dataloader = dict(
    dataset=dict(
        type='CheckedCocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/')))
val_dataloader = dict(
    dataset=dict(
        type='CheckedCocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/')))
test_dataloader = val_dataloader
test_evaluator = [
    dict(type='CocoMetric',
         ann_file=data_root + 'annotations/instances_val.json',
         metric=['segm']),
    dict(type='HighPrecisionRecallMetric',
         ann_file=data_root + 'annotations/instances_val.json',
         gripper_radius=12)
]
val_evaluator = test_evaluator
