# cpu-tiny Rotated Faster R-CNN on the synthetic dense set.
_base_ = '../rotated_mask_rcnn/rotated-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'

model = dict(
    type='RotatedFasterRCNN',
    roi_head=dict(mask_roi_extractor=None, mask_head=None))
val_evaluator = dict(metric=['rbox'])
test_evaluator = val_evaluator
