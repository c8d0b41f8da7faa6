# Rotated Faster R-CNN on the Faster R-CNN paper's design (Ren et al. 2015;
# ../shared/seeds/004_*), for GPU users: one stride-16 feature map (ResNet-50
# C4) for the rotated RPN, the paper's 3 scales x 3 ratios of anchors
# (128 / 256 / 512 px boxes, ratios 0.5 / 1 / 2) at the rotated RPN's 3
# angles (-90 / -60 / -30 degrees: k = 27), cross-boundary anchors ignored
# in training, 2000 proposals after NMS 0.7 for training and 300 at test,
# rotated RoIAlign on C4 and the res5 stage as the RoI head (mmdet's C4
# model, rotated), short side 600 / long side <= 1000. Trained jointly by
# tools/train.py or in the paper's four steps by tools/alternating_train.py.
_base_ = [
    './rotated-faster-rcnn_r50_fpn_1x_synthetic-dense.py',
    '../_base_/models/faster_rcnn_paper_parts.py'
]
norm_cfg = dict(type='BN', requires_grad=True)
c4_backbone = dict(
    num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1), out_indices=(2, ))
res5 = dict(
    type='mmdet.ResLayer', depth=50, stage=3, stride=2, dilation=1,
    style='pytorch', norm_cfg=norm_cfg, norm_eval=True,
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'))
model = dict(
    backbone=c4_backbone,
    neck=None,
    rpn_head=dict(
        in_channels=1024, feat_channels=1024,
        anchor_generator=dict(
            scales=_base_.paper_anchor_generator.scales,
            ratios=_base_.paper_anchor_generator.ratios,
            angles=[-90.0, -60.0, -30.0],
            strides=[16])),
    roi_head=dict(
        shared_head=res5,
        bbox_roi_extractor=dict(
            roi_layer=dict(out_size=14), out_channels=1024,
            featmap_strides=[16]),
        bbox_head=dict(
            _base_.paper_rotated_res5_bbox_head,
            in_channels=2048,
            num_classes=3,
            bbox_coder={{_base_.model.roi_head.bbox_head.bbox_coder}},
            loss_cls={{_base_.model.roi_head.bbox_head.loss_cls}},
            loss_bbox={{_base_.model.roi_head.bbox_head.loss_bbox}})),
    train_cfg=dict(
        rpn=dict(allowed_border=0),
        rpn_proposal=dict(nms_pre=12000, max_per_img=2000)),
    test_cfg=dict(rpn=dict(nms_pre=6000, max_per_img=300)))
_resize = dict(type='mmdet.Resize', scale=(1000, 600), keep_ratio=True)
train_dataloader = dict(dataset=dict(pipeline=[
    _resize if step['type'].endswith('Resize') else step
    for step in _base_.train_dataloader.dataset.pipeline]))
val_dataloader = dict(dataset=dict(pipeline=[
    _resize if step['type'].endswith('Resize') else step
    for step in _base_.val_dataloader.dataset.pipeline]))
test_dataloader = val_dataloader
