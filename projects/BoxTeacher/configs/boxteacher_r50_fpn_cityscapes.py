# BoxTeacher R-50 FPN on Cityscapes instance segmentation, by path, in the
# COCO format written by mmdet's tools/dataset_converters/cityscapes.py
# (8 thing classes). Multi-scale training on short side 800-1024, test at
# 2048 x 1024, 24k iterations. Not a setting of the original repository:
# a starting point. Set data_root with --cfg-options or below.
_base_ = './boxteacher_r50_fpn_1x_coco.py'

data_root = 'data/cityscapes/'
classes = ('person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle',
           'bicycle')
model = dict(
    detector=dict(
        data_preprocessor=dict(bottom_pixels_removed=0),
        bbox_head=dict(num_classes=8),
        mask_head=dict(warmup_iters=2500, pseudo_warmup_iters=2500)),
    semi_train_cfg=dict(teacher_test_scale=(2048, 1024)))

train_resize = dict(
    _base_.train_resize,
    scales=[(2048, 800), (2048, 864), (2048, 928), (2048, 992),
            (2048, 1024)])
train_pipeline = [
    *_base_.load_box_labels, train_resize, _base_.train_flip,
    _base_.two_views
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True,
         backend='pillow'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instancesonly_filtered_gtFine_train.json',
        data_prefix=dict(img='leftImg8bit/train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instancesonly_filtered_gtFine_val.json',
        data_prefix=dict(img='leftImg8bit/val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root +
    'annotations/instancesonly_filtered_gtFine_val.json')
test_evaluator = val_evaluator

max_iter = 24000
train_cfg = dict(max_iters=max_iter, val_interval=max_iter)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iter,
        by_epoch=False,
        milestones=[18000],
        gamma=0.1)
]
