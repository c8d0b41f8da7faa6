# cpu-tiny rotated RPN only, evaluated by rotated proposal recall.
_base_ = '../rotated_mask_rcnn/rotated-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'

model = dict(
    _delete_=True,
    type='RotatedRPN',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.neck}},
    rpn_head={{_base_.model.rpn_head}},
    train_cfg=dict(rpn={{_base_.model.train_cfg.rpn}}),
    test_cfg=dict(rpn={{_base_.model.test_cfg.rpn}}))
val_evaluator = dict(metric=['proposal'])
test_evaluator = val_evaluator
