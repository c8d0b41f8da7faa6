# Synthetic dense pens / pencils / chopsticks for rotated models (mmrotate
# scope), or the real PPC dataset by path. Ground-truth rotated boxes are
# recomputed from the masks after augmentation (BoxesFromMasks), so flips and
# rotations keep masks and boxes consistent. Full size, for the R-50 configs:
# horizontal flips only, as the original (ROTATE_PROB_TRAIN 0) and as the
# axis-aligned R-50 twins. mmrotate's RandomRotate works here too:
#   dict(type='RandomRotate', prob=0.5, angle_range=180) before BoxesFromMasks
dataset_type = 'mmdet.PPCDataset'
data_root = 'data/synthetic_dense/'
backend_args = None
img_scale = (1333, 800)

# Pipelines from named steps (see synthetic_dense_instance.py). The test
# pipeline loads the annotations (in original-image coordinates, after the
# resize) so `tools/test.py --show-dir` draws ground truth beside the
# predictions; the metric reads them from ann_file, images without any load
# fine (DetInferencer), and DetInferencer needs exactly 'LoadImageFromFile'.
load_image = dict(type='mmdet.LoadImageFromFile', backend_args=backend_args)
load_test_image = dict(type='LoadImageFromFile', backend_args=backend_args)
load_annotations = dict(
    type='mmdet.LoadAnnotations', with_bbox=True, with_mask=True)
resize = dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True)
flip = dict(type='mmdet.RandomFlip', prob=0.5)
rboxes_from_masks = dict(type='BoxesFromMasks', box_type='rbox')
pack_train = dict(type='mmdet.PackDetInputs')
pack_test = dict(
    type='mmdet.PackDetInputs',
    meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
               'scale_factor'))
train_pipeline = [
    load_image, load_annotations, resize, flip, rboxes_from_masks, pack_train
]
test_pipeline = [
    load_test_image, resize, load_annotations, rboxes_from_masks, pack_test
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=None,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img=''),
        # the boxes are rebuilt from the masks: an annotation whose box or
        # area is unusable but whose mask is valid is kept (and listed)
        boxes_from_masks=True,
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
        boxes_from_masks=True,
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='RotatedCocoInstanceMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric=['segm', 'rbox'])
test_evaluator = val_evaluator
