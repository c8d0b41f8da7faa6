# RPN-only R-50 FPN 1x (ImageNet-pretrained backbone, for GPU users);
# evaluated by proposal recall (AR@100/300/1000).
_base_ = [
    'mmdet::_base_/models/rpn_r50_fpn.py',
    '../_base_/datasets/synthetic_dense_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py'
]
val_evaluator = dict(metric='proposal_fast')
test_evaluator = val_evaluator
