# Slim RPN-only detector for 2 CPU cores (ResNet-18 from scratch, 64-ch FPN).
_base_ = 'mmdet::_base_/models/rpn_r50_fpn.py'

model = dict(
    backbone=dict(depth=18, frozen_stages=-1, norm_eval=False, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    test_cfg=dict(rpn=dict(nms_pre=400, max_per_img=200)))
