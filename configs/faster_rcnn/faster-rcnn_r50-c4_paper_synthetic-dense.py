# Faster R-CNN as its paper (Ren et al. 2015, ../shared/seeds/004_*) sets it
# up, on ResNet-50 C4 (ImageNet-pretrained caffe weights, for GPU users):
# the paper's RPN (faster_rcnn_paper_parts.py: k = 9 anchors on the stride-16
# C4 map, cross-boundary anchors ignored in training, 2000 / 300 proposals,
# NMS 0.7), mmdet's C4 model (RoI pooling on C4, the res5 stage as the RoI
# head), images resized to short side 600 / long side <= 1000. Trained
# jointly by tools/train.py (mmdet's approximate joint training).
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py',
    '../_base_/models/faster_rcnn_paper_parts.py',
    '../_base_/datasets/synthetic_dense_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py'
]
model = dict(
    rpn_head=dict(anchor_generator=_base_.paper_anchor_generator),
    roi_head=dict(bbox_head=dict(num_classes=3)),
    train_cfg=_base_.paper_train_cfg,
    test_cfg=_base_.paper_test_cfg)
resize = dict(type='Resize', scale=(1000, 600), keep_ratio=True)
train_pipeline = [
    _base_.load_image, _base_.load_boxes, resize, _base_.flip,
    _base_.pack_train
]
test_pipeline = [
    _base_.load_image, resize, _base_.load_boxes, _base_.pack_test
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
