# Synthetic dense pens / pencils / chopsticks (tools/dataset_converters/
# make_synthetic_dense.py), or the real PPC dataset by path:
#   --cfg-options data_root=... train_dataloader.dataset.ann_file=...
# Full-size pipeline for the R-50 FPN configs (mmdet's COCO scale).
dataset_type = 'PPCDataset'
data_root = 'data/synthetic_dense/'
backend_args = None
img_scale = (1333, 800)

# Pipelines from named steps: a variant (cpu-tiny, box-only, Places)
# rebinds the steps it changes (img_scale, flip directions, annotations)
# and lists its pipelines from the names.
load_image = dict(type='LoadImageFromFile', backend_args=backend_args)
load_annotations = dict(type='LoadAnnotations', with_bbox=True, with_mask=True)
resize = dict(type='Resize', scale=img_scale, keep_ratio=True)
flip = dict(type='RandomFlip', prob=0.5)
pack_train = dict(type='PackDetInputs')
pack_test = dict(
    type='PackDetInputs',
    meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
               'scale_factor'))
train_pipeline = [load_image, load_annotations, resize, flip, pack_train]
test_pipeline = [load_image, resize, load_annotations, pack_test]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img=''),
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
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
# As in mmdet, tools/test.py evaluates the val split; for the test split use
#   --cfg-options test_dataloader.dataset.ann_file=annotations/instances_test.json
#   test_evaluator.ann_file=data/synthetic_dense/annotations/instances_test.json
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric=['bbox', 'segm'],
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
