# Slim RPN-only detector for 2 CPU cores; the slimming of cpu_tiny_parts.py.
_base_ = ['mmdet::_base_/models/rpn_r50_fpn.py', './cpu_tiny_parts.py']

model = dict(
    backbone={{_base_.cpu_tiny_backbone}},
    neck={{_base_.cpu_tiny_neck}},
    rpn_head={{_base_.cpu_tiny_rpn_head}},
    test_cfg=dict(rpn={{_base_.cpu_tiny_test_cfg.rpn}}))
