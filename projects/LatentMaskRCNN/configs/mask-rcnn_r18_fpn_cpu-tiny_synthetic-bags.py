# cpu-tiny Mask R-CNN on the ambiguous bag scenes
# (projects/LatentMaskRCNN/tools/make_synthetic_bags.py data/synthetic_bags):
# the baseline of benchmarks/latent_vs_mask_rcnn.py. The Latent-MaskRCNN
# config adds the latent parts to exactly this. Both paste their masks
# with BatchPasteFCNMaskHead: mmdet's masks, many per call on the CPU
# (Latent-MaskRCNN pastes K x 50 per image).
_base_ = [
    '../../../configs/_base_/models/mask-rcnn_r18_fpn_cpu-tiny.py',
    '../../../configs/_base_/datasets/synthetic_dense_instance_cpu-tiny.py',
    '../../../configs/_base_/schedules/schedule_cpu-tiny.py',
    '../../../configs/_base_/default_runtime_cpu-tiny.py'
]
model = dict(
    roi_head=dict(
        bbox_head=dict(num_classes=1),
        mask_head=dict(type='BatchPasteFCNMaskHead', num_classes=1)))

data_root = 'data/synthetic_bags/'
metainfo = dict(classes=('object', ), palette=[(220, 20, 60)])
train_dataloader = dict(
    dataset=dict(type='CheckedCocoDataset', data_root=data_root,
                 metainfo=metainfo))
val_dataloader = dict(
    dataset=dict(type='CheckedCocoDataset', data_root=data_root,
                 metainfo=metainfo))
test_dataloader = val_dataloader
# COCO mask AP plus MR@HP (IoP), AR-IoG, double-pick rate, pickable area
val_evaluator = [
    dict(type='CocoMetric',
         ann_file=data_root + 'annotations/instances_val.json',
         metric=['segm']),
    dict(type='HighPrecisionRecallMetric',
         ann_file=data_root + 'annotations/instances_val.json')
]
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=20))
