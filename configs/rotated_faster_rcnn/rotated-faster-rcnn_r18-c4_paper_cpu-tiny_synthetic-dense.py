# The paper-design Rotated Faster R-CNN (rotated-faster-rcnn_r50-c4_paper_*)
# slimmed for 2 CPU cores like the axis-aligned paper twin
# (configs/faster_rcnn/faster-rcnn_r18-c4_paper_cpu-tiny_synthetic-dense.py):
# ResNet-18 from scratch, its C4 map (256 channels, stride 16) for the
# rotated RPN and its res5 stage as the RoI head, the dense set's native
# 256 px, the cpu-tiny proposal and RoI counts. Anchors: the paper's 3
# scales of the stride (2 / 4 / 8: 32 / 64 / 128 px at 256 px) with the
# stick anchors (ratio 1/8 at 12 angles, rotated_anchors_for_sticks.py)
# instead of the paper's ratios 0.5 / 1 / 2, which give a third of the
# chopsticks no anchor at IoU >= 0.3.
_base_ = [
    '../rotated_faster_rcnn/rotated-faster-rcnn_r18_fpn_cpu-tiny_'
    'synthetic-dense.py',
    '../_base_/models/faster_rcnn_paper_parts.py'
]
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(
        num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1),
        out_indices=(2, )),
    neck=None,
    rpn_head=dict(
        in_channels=256, feat_channels=256,
        anchor_generator=dict(scales=[2, 4, 8], strides=[16])),
    roi_head=dict(
        shared_head=dict(
            type='mmdet.ResLayer', depth=18, stage=3, stride=2, dilation=1,
            style='pytorch', norm_cfg=norm_cfg, norm_eval=False,
            init_cfg=None),
        bbox_roi_extractor=dict(
            roi_layer=dict(out_size=14), out_channels=256,
            featmap_strides=[16]),
        bbox_head=dict(
            _base_.paper_rotated_res5_bbox_head,
            in_channels=512,
            num_classes=3,
            bbox_coder={{_base_.model.roi_head.bbox_head.bbox_coder}},
            loss_cls={{_base_.model.roi_head.bbox_head.loss_cls}},
            loss_bbox={{_base_.model.roi_head.bbox_head.loss_bbox}})),
    train_cfg=dict(rpn=dict(allowed_border=0)))
