# Rotated Faster R-CNN R-50 FPN 1x (for GPU users): rotated RPN and RoI head,
# no mask branch. GT rotated boxes still come from the masks.
_base_ = '../rotated_mask_rcnn/rotated-mask-rcnn_r50_fpn_1x_synthetic-dense.py'

model = dict(
    type='RotatedFasterRCNN',
    roi_head=dict(mask_roi_extractor=None, mask_head=None))
val_evaluator = dict(metric=['rbox'])
test_evaluator = val_evaluator
