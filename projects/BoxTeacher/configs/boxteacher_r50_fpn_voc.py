# BoxTeacher R-50 FPN on PASCAL VOC 2012 instance segmentation, by path, in
# COCO format (boxes are all that training reads). The original repository
# ships no VOC config; these settings follow AdelaiDet's BoxInst VOC recipe
# (AdelaiDet issue #580): 20 classes, no bottom-pixel removal, pairwise
# warm-up 1,000 iterations, 18k iterations. Set the paths with
#   --cfg-options data_root=... (or edit below).
_base_ = './boxteacher_r50_fpn_1x_coco.py'

data_root = 'data/voc/'
classes = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
           'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike',
           'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor')
model = dict(
    detector=dict(
        data_preprocessor=dict(bottom_pixels_removed=0),
        bbox_head=dict(num_classes=20),
        mask_head=dict(warmup_iters=1000, pseudo_warmup_iters=1000)))
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/voc_2012_train_instance.json',
        data_prefix=dict(img='JPEGImages/')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/voc_2012_val_instance.json',
        data_prefix=dict(img='JPEGImages/')))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/voc_2012_val_instance.json')
test_evaluator = val_evaluator

max_iter = 18000
train_cfg = dict(max_iters=max_iter, val_interval=max_iter)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iter,
        by_epoch=False,
        milestones=[12000, 16000],
        gamma=0.1)
]
