# cpu-tiny Keypoint Mask R-CNN (axis-aligned) on the synthetic dense set: the
# rotated keypoint model's twin (same backbone, widths, keypoint head and
# schedule), its keypoint frames the horizontal boxes.
_base_ = [
    '../mask_rcnn/mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    '../_base_/models/keypoint_parts.py'
]
model = dict(
    roi_head=dict(
        type='KeypointRoIHead',
        keypoint_roi_extractor=dict(
            _base_.keypoint_roi_extractor, out_channels=64),
        keypoint_head=_base_.cpu_tiny_keypoint_head))
train_pipeline = [
    _base_.load_image, _base_.load_annotations, _base_.load_keypoints,
    _base_.resize, _base_.flip, _base_.pack_keypoints
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_evaluator = _base_.keypoint_evaluators
test_evaluator = val_evaluator
# draws keypoints and heading arrows over boxes and masks
visualizer = dict(type='KeypointDetLocalVisualizer')
