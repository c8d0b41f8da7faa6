# Faster R-CNN as its paper trains it on PASCAL VOC 2007 (Ren et al. 2015,
# Sec. 4.1; ../shared/seeds/004_*): the paper's RPN on ResNet-50 C4
# (faster_rcnn_paper_parts.py; the paper's nets are ZF / VGG-16, which
# mmdet builds only from downloaded weights), VOC 2007 trainval by path
# with mmdet's VOCDataset (data/VOCdevkit/VOC2007, the standard layout),
# tested on VOC 2007 test with the 11-point VOC mAP, short side 600 / long
# side <= 1000, and the paper's schedule: SGD momentum 0.9, weight decay
# 5e-4, 1 image per batch, learning rate 0.001 for 60k iterations then
# 0.0001 for 20k. Trained jointly by tools/train.py, or as the paper did
# by tools/alternating_train.py (each of its four steps runs this
# schedule).
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py',
    '../_base_/models/faster_rcnn_paper_parts.py',
    'mmdet::_base_/datasets/voc0712.py',
    '../_base_/default_runtime.py'
]
model = dict(
    rpn_head=dict(anchor_generator=_base_.paper_anchor_generator),
    roi_head=dict(bbox_head=dict(num_classes=20)),
    train_cfg=_base_.paper_train_cfg,
    test_cfg=_base_.paper_test_cfg)
data_root = 'data/VOCdevkit/'
train_dataloader = dict(
    batch_size=1,
    dataset=dict(
        _delete_=True,
        type='VOCDataset',
        data_root=data_root,
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
        pipeline={{_base_.train_pipeline}}))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80000,
                 val_interval=80000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=80000,
         milestones=[60000], gamma=0.1)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4))
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=10000))
log_processor = dict(by_epoch=False)
