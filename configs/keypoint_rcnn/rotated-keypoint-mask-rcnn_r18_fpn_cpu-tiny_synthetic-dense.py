# cpu-tiny Rotated Keypoint Mask R-CNN on the synthetic dense set: Rotated
# Mask R-CNN plus a keypoint head in each rotated RoI's frame (tip and end of
# every stick), whose keypoints give each detection a heading over the full
# circle. Evaluates masks, rotated boxes, keypoint AP and heading accuracy.
_base_ = [
    '../rotated_mask_rcnn/'
    'rotated-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    '../_base_/models/keypoint_parts.py'
]
model = dict(
    roi_head=dict(
        type='RotatedKeypointRoIHead',
        keypoint_roi_extractor=dict(
            _base_.rotated_keypoint_roi_extractor, out_channels=64),
        keypoint_head=_base_.cpu_tiny_keypoint_head))
train_pipeline = [
    _base_.load_image, _base_.load_annotations, _base_.load_keypoints,
    _base_.resize, _base_.flip, _base_.rboxes_from_masks,
    _base_.pack_keypoints
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_evaluator = _base_.rotated_keypoint_evaluators
test_evaluator = val_evaluator
