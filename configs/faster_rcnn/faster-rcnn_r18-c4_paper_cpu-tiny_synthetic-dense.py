# The paper's Faster R-CNN (faster-rcnn_r50-c4_paper_synthetic-dense.py)
# slimmed for 2 CPU cores: ResNet-18 from scratch, its C4 map (256 channels,
# stride 16) for the RPN and its res5 stage as the RoI head, at the dense
# set's native 256 px (short side 600 would be 5.5x the pixels). The
# paper's RPN with anchor scales 2 / 4 / 8 of the stride (32 / 64 / 128 px
# boxes, the paper's 128-512 px on 600 px images scaled to 256 px) and the
# cpu-tiny proposal and RoI counts.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py',
    '../_base_/models/faster_rcnn_paper_parts.py',
    '../_base_/datasets/synthetic_dense_detection_cpu-tiny.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_cpu-tiny.py'
]
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        depth=18, frozen_stages=-1, norm_cfg=norm_cfg, norm_eval=False,
        style='pytorch', init_cfg=None),
    rpn_head=dict(
        in_channels=256, feat_channels=256,
        anchor_generator=dict(_base_.paper_anchor_generator,
                              scales=[2, 4, 8])),
    roi_head=dict(
        shared_head=dict(
            depth=18, norm_cfg=norm_cfg, norm_eval=False, style='pytorch',
            init_cfg=None),
        bbox_roi_extractor=dict(
            out_channels=256, roi_layer=dict(sampling_ratio=2)),
        bbox_head=dict(in_channels=512, num_classes=3)),
    train_cfg=dict(
        _base_.paper_train_cfg,
        rpn_proposal=dict(
            _base_.paper_train_cfg.rpn_proposal, nms_pre=2000,
            max_per_img=600),
        rcnn=dict(sampler=dict(num=64, pos_fraction=0.5))),
    test_cfg=dict(
        rpn=dict(_base_.paper_test_cfg.rpn, nms_pre=1000)))
default_hooks = dict(logger=dict(interval=20))
