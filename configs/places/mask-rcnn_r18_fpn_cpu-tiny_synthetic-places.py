# cpu-tiny Mask R-CNN on a synthetic Places-format set (3 categories):
#   python tools/dataset_converters/make_synthetic_places.py \
#       data/synthetic_places
# then places_png_to_coco.py on each split (`make places-demo` does all of
# it: convert, train, test, submission, standalone scoring).
_base_ = [
    '../_base_/models/mask-rcnn_r18_fpn_cpu-tiny.py',
    '../_base_/datasets/places_instance.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_cpu-tiny.py'
]
num_classes = 3
data_root = 'data/synthetic_places/'
img_scale = (256, 256)
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=num_classes),
        mask_head=dict(num_classes=num_classes)),
    test_cfg=dict(rcnn=dict(max_per_img=255)))
resize = dict(_base_.resize, scale=img_scale)
flip = dict(_base_.flip, direction=['horizontal', 'vertical'])
train_pipeline = [
    _base_.load_image, _base_.load_annotations, resize, flip,
    _base_.pack_train
]
test_pipeline = [
    _base_.load_image, resize, _base_.load_annotations, _base_.pack_test
]
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(
        data_root=data_root,
        num_classes=num_classes,
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(
        data_root=data_root,
        num_classes=num_classes,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'instance_validation_gts.json',
    img_cat_ids=data_root + 'imgCatIds.json')
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=20))
