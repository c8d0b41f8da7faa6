# The slimming every cpu-tiny model of this repo applies to its R-50 FPN
# original so it trains in minutes on 2 CPU cores (DESIGN.md section 4):
# ResNet-18 from scratch (nothing can be downloaded), FPN and heads at 64
# channels, 2 mask convs, fewer proposals, 64 sampled RoIs (half positive).
# Use it as a base next to the original, then reference the parts:
#   backbone={{_base_.cpu_tiny_backbone}}, neck={{_base_.cpu_tiny_neck}}, ...
# The axis-aligned bases also take 2x2 RoIAlign samples per bin
# (cpu_tiny_roi_extractor: mmcv's CPU RoIAlign dominated the step time).
cpu_tiny_backbone = dict(
    depth=18, frozen_stages=-1, norm_eval=False, init_cfg=None)
cpu_tiny_neck = dict(in_channels=[64, 128, 256, 512], out_channels=64)
cpu_tiny_rpn_head = dict(in_channels=64, feat_channels=64)
cpu_tiny_roi_extractor = dict(
    out_channels=64, roi_layer=dict(sampling_ratio=2))
cpu_tiny_bbox_head = dict(in_channels=64, fc_out_channels=256)
cpu_tiny_mask_head = dict(num_convs=2, in_channels=64, conv_out_channels=64)
cpu_tiny_train_cfg = dict(
    rpn_proposal=dict(nms_pre=600, max_per_img=300),
    rcnn=dict(sampler=dict(num=64, pos_fraction=0.5)))
cpu_tiny_test_cfg = dict(
    rpn=dict(nms_pre=400, max_per_img=200), rcnn=dict(max_per_img=50))
