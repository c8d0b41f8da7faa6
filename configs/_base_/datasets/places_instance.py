# Places Challenge 2017 instance segmentation (100 categories, ADE20K
# images). Layout after tools/dataset_converters/places_png_to_coco.py:
#   data/places/imgCatIds.json
#   data/places/images/{training,validation}/ADE_*.jpg
#   data/places/instance_{training,validation}_gts.json
# Single scale, as the challenge's Mask R-CNN baseline.
dataset_type = 'PlacesInstanceDataset'
data_root = 'data/places/'
backend_args = None
img_scale = (1333, 800)

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='instance_training_gts.json',
        data_prefix=dict(img='images/training/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='instance_validation_gts.json',
        data_prefix=dict(img='images/validation/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

# The challenge's rules: maxDets (1, 50, 255), 255 top-scoring masks per
# image across categories (max_dets_rule='category' = the official code).
# Add submission_file=... to also write the submission JSON.
val_evaluator = dict(
    type='PlacesInstanceMetric',
    ann_file=data_root + 'instance_validation_gts.json',
    img_cat_ids=data_root + 'imgCatIds.json',
    max_dets_rule='image',
    backend_args=backend_args)
test_evaluator = val_evaluator
