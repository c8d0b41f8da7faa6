# Synthetic dense set for box-only detectors (no masks loaded), full size.
_base_ = './synthetic_dense_instance.py'

load_boxes = dict(type='LoadAnnotations', with_bbox=True)
train_pipeline = [
    _base_.load_image, load_boxes, _base_.resize, _base_.flip,
    _base_.pack_train
]
test_pipeline = [
    _base_.load_image, _base_.resize, load_boxes, _base_.pack_test
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metric='bbox')
test_evaluator = val_evaluator
