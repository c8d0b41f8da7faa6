# Rotated Mask R-CNN slimmed exactly like mask-rcnn_r18_fpn_cpu-tiny (same
# backbone, widths, proposals, sampled RoIs, RoIAlign samples) so the two
# compare like for like on 2 CPU cores.
_base_ = './rotated-mask-rcnn_r50_fpn.py'

model = dict(
    backbone=dict(depth=18, frozen_stages=-1, norm_eval=False, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=64, fc_out_channels=256),
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(num_convs=2, in_channels=64, conv_out_channels=64)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=600, max_per_img=300),
        rcnn=dict(sampler=dict(num=64, pos_fraction=0.5))),
    test_cfg=dict(
        rpn=dict(nms_pre=400, max_per_img=200),
        rcnn=dict(max_per_img=50)))
