# Rotated Keypoint Mask R-CNN R-50 FPN 1x (ImageNet-pretrained backbone, for
# GPU users) on the synthetic dense set; a real dataset with COCO keypoints
# (PPC with tip / end labels) plugs in by path. The keypoint head is
# Keypoint R-CNN's (8 convs of 512, 56 x 56 heatmaps).
_base_ = [
    '../rotated_mask_rcnn/rotated-mask-rcnn_r50_fpn_1x_synthetic-dense.py',
    '../_base_/models/keypoint_parts.py'
]
model = dict(
    roi_head=dict(
        type='RotatedKeypointRoIHead',
        keypoint_roi_extractor=_base_.rotated_keypoint_roi_extractor,
        keypoint_head=_base_.keypoint_head))
train_pipeline = [
    _base_.load_image, _base_.load_annotations, _base_.load_keypoints,
    _base_.resize, _base_.flip, _base_.rboxes_from_masks,
    _base_.pack_keypoints
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_evaluator = _base_.rotated_keypoint_evaluators
test_evaluator = val_evaluator
