# The synthetic dense set at its native 256 px for the rotated cpu-tiny
# configs: flips only (the synthetic scenes already lie at every angle), so
# the axis-aligned baseline sees exactly the same data.
_base_ = './synthetic_dense_rotated.py'

img_scale = (256, 256)
resize = dict(_base_.resize, scale=img_scale)
flip = dict(_base_.flip, direction=['horizontal', 'vertical'])
train_pipeline = [
    _base_.load_image, _base_.load_annotations, resize, flip,
    _base_.rboxes_from_masks, _base_.pack_train
]
test_pipeline = [
    _base_.load_test_image, resize, _base_.load_annotations,
    _base_.rboxes_from_masks, _base_.pack_test
]
train_dataloader = dict(
    batch_size=4, num_workers=1, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
